package io.ferry.it;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps what the worker in this JVM logs (Ferry's plugins log through the worker's slf4j and log4j), so a test can
 * check that a policy said what it did. Lines are "LEVEL logger: message".
 */
final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    LogCapture() {
        appender = new AbstractAppender("ferry-test-capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        config.addAppender(appender);
        // events of io.ferry (INFO) reach the root's appenders by additivity, whatever the root's own level
        config.getRootLogger().addAppender(appender, Level.INFO, null);
        ctx.updateLoggers();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    List<String> matching(String... parts) {
        return lines.stream().filter(l -> java.util.Arrays.stream(parts).allMatch(l::contains)).toList();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
        appender.stop();
    }
}
