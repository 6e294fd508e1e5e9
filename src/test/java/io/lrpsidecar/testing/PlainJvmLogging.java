package io.lrpsidecar.testing;

import java.util.logging.Level;
import org.jboss.logmanager.LogContext;

/**
 * Log levels for JVMs that never start Quarkus (benchmarks, broker and topology tests). Quarkus's bootstrap leaves the
 * root logger at ALL with a delayed handler until Quarkus configures logging; without Quarkus every Kafka trace
 * message would be formatted and queued, which distorts measurements and slows the tests.
 */
public final class PlainJvmLogging {
    private PlainJvmLogging() {
    }

    /** Sets the root level to INFO and Kafka's to WARN. */
    public static void quiet() {
        LogContext context = LogContext.getSystemLogContext();
        context.getLogger("").setLevel(Level.INFO);
        context.getLogger("org.apache.kafka").setLevel(Level.WARNING);
        context.getLogger("kafka").setLevel(Level.WARNING);
    }
}
