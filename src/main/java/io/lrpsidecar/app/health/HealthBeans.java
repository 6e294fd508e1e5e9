package io.lrpsidecar.app.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The health state of the service as CDI beans. Quarkus' Kafka Streams extension installs the CDI beans of type
 * {@code KafkaStreams.StateListener} and {@code StreamsUncaughtExceptionHandler} on the client it creates, so the
 * tracker and the replacement policy see every state change and every thread failure.
 */
@ApplicationScoped
public class HealthBeans {

    @Produces
    @Singleton
    @Unremovable
    StreamStateTracker streamStateTracker(MeterRegistry meters) {
        return new StreamStateTracker(Clock.systemUTC(), meters);
    }

    @Produces
    @Singleton
    @Unremovable
    ThreadReplacementPolicy threadReplacementPolicy(HealthConfig config, StreamStateTracker tracker,
            MeterRegistry meters) {
        return new ThreadReplacementPolicy(config.threadReplacements(), config.threadReplacementWindow(),
                Clock.systemUTC(), tracker, meters);
    }

    @Produces
    @Singleton
    BrokerStatus brokerStatus(HealthConfig config) {
        return new BrokerStatus(Clock.systemUTC(), config.brokerResultMaxAge());
    }
}
