package io.lrpsidecar.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;

/** Collects what the loggers under one name log while open (JBoss Logging reaches java.util.logging handlers). */
public final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    /** The message with its parameters filled in, whatever the style (printf or MessageFormat). */
    private final PatternFormatter messageOnly = new PatternFormatter("%s");

    public CapturedLog(String loggerName) {
        logger = Logger.getLogger(loggerName);
        logger.addHandler(this);
    }

    /** The messages logged at ERROR (or SEVERE) and above. */
    public List<String> errors() {
        return atLeast(Level.SEVERE.intValue(), Integer.MAX_VALUE);
    }

    /** The messages logged at WARN (WARNING), below ERROR. */
    public List<String> warnings() {
        return atLeast(Level.WARNING.intValue(), Level.SEVERE.intValue() - 1);
    }

    /** Everything logged so far, as the records. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    private List<String> atLeast(int lowest, int highest) {
        return records.stream().filter(record -> record.getLevel().intValue() >= lowest
                && record.getLevel().intValue() <= highest).map(this::text).toList();
    }

    private String text(LogRecord record) {
        return messageOnly.format(record);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
