package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrpsidecar.testing.TestBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;

/** The record size limit follows the smallest max.message.bytes of the topics the sidecar writes, on a real broker. */
class OutputTopicLimitsTest {

    @Test
    void theLimitIsLoweredToWhatTheOutputTopicsAccept() throws Exception {
        try (KafkaClusterTestKit cluster = TestBroker.start(List.of("explanations", "predictions-dlq"), 1)) {
            String bootstrap = cluster.bootstrapServers();
            List<String> outputs = List.of("explanations", "predictions-dlq", "not-created-yet");
            assertEquals(1_000_000, OutputTopicLimits.effectiveMaxRecordBytes(1_000_000, bootstrap, outputs),
                    "the broker default (1,048,588) admits the default limit");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC,
                        "predictions-dlq"), List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "200000"),
                        AlterConfigOp.OpType.SET)))).all().get();
            }
            assertEquals(200_000 - OutputTopicLimits.BATCH_FRAMING_BYTES,
                    OutputTopicLimits.effectiveMaxRecordBytes(1_000_000, bootstrap, outputs));
        }
    }

    @Test
    void anUnreachableBrokerLeavesTheConfiguredLimit() {
        assertEquals(1_000_000, OutputTopicLimits.effectiveMaxRecordBytes(1_000_000, "127.0.0.1:1",
                List.of("explanations")));
    }
}
