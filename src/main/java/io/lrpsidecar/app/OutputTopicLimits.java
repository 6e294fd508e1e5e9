package io.lrpsidecar.app;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.jboss.logging.Logger;

/**
 * Reads the {@code max.message.bytes} of the topics the sidecar writes, so that the record size limit never exceeds
 * what they accept: a dead letter or explanation the broker refuses would stop the stream thread on every retry. The
 * configured limit is lowered to the smallest topic limit (less the record batch's framing) with a WARN line naming the
 * topic; topics that do not exist yet, or a broker that does not answer in time, leave the configured limit.
 */
final class OutputTopicLimits {
    private static final Logger LOG = Logger.getLogger(OutputTopicLimits.class);
    /** Bytes a record batch adds around one record (header and record framing, generously). */
    static final int BATCH_FRAMING_BYTES = 1024;
    private static final long TIMEOUT_SECONDS = 5;

    private OutputTopicLimits() {
    }

    static int effectiveMaxRecordBytes(int configured, String bootstrap, List<String> outputTopics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)))) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<ConfigResource> resources = outputTopics.stream().filter(existing::contains).distinct()
                    .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            int limit = configured;
            for (Map.Entry<ConfigResource, Config> entry : configs.entrySet()) {
                var value = entry.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (value != null && value.value() != null) {
                    int accepted = Integer.parseInt(value.value()) - BATCH_FRAMING_BYTES;
                    if (accepted < limit) {
                        LOG.warnf("topic %s accepts records of at most %s bytes (max.message.bytes), below "
                                + "lrp.limits.max-record-bytes=%d: records are limited to %d bytes",
                                entry.getKey().name(), value.value(), configured, accepted);
                        limit = accepted;
                    }
                }
            }
            return limit;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warnf("the topics' max.message.bytes could not be read (%s); records are limited to "
                    + "lrp.limits.max-record-bytes=%d", e.getMessage(), configured);
            return configured;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return configured;
        }
    }
}
