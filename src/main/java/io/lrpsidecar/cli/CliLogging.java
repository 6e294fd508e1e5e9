package io.lrpsidecar.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging of the command line: warnings and errors only, one line each on stderr ({@code lrp: WARNING: ...}), so
 * that results on stdout stay clean. DJL's own notice about CUDA is silenced: the runtime logs its own single line
 * when it falls back from CUDA. Kafka clients' warnings (a broker that does not answer, retried forever) are silenced
 * too: {@code lrp tail} and {@code lrp replay} report such failures in their own one line.
 */
final class CliLogging {
    /** The quieted loggers, held so that their levels are not collected with them. */
    private static final List<Logger> QUIETED = new ArrayList<>();

    private CliLogging() {
    }

    static void configure() {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        Handler console = new ConsoleHandler();
        console.setLevel(Level.WARNING);
        console.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                return "lrp: " + record.getLevel().getName() + ": " + formatMessage(record) + System.lineSeparator();
            }
        });
        root.addHandler(console);
        root.setLevel(Level.WARNING);
        for (String name : List.of("ai.djl", "org.apache.kafka")) {
            Logger quiet = Logger.getLogger(name);
            quiet.setLevel(Level.SEVERE);
            QUIETED.add(quiet);
        }
    }
}
