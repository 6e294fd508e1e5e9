package io.lrpsidecar.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging of the command line: warnings and errors only, one line each on stderr ({@code lrp: WARNING: ...}), so
 * that results on stdout stay clean. DJL's own notice about CUDA is silenced: the runtime logs its own single line
 * when it falls back from CUDA.
 */
final class CliLogging {
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
        Logger.getLogger("ai.djl").setLevel(Level.SEVERE);
    }
}
