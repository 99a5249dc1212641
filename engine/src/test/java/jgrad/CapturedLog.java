package jgrad;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A logger's events captured for a test instead of printed: a warning a test provokes on purpose is
 * asserted on, not left in the build log where it reads as a fault. Restores the logger on close.
 */
public final class CapturedLog implements AutoCloseable {
    private final Logger logger;
    private final Level level;
    private final boolean additive;
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    private CapturedLog(Logger logger, Level capture) {
        this.logger = logger;
        this.level = logger.getLevel();
        this.additive = logger.isAdditive();
        events.start();
        logger.addAppender(events);
        logger.setAdditive(false);  // not to the console as well
        logger.setLevel(capture);
    }

    /** Captures what {@code source}'s logger emits at {@code capture} and above. */
    public static CapturedLog of(Class<?> source, Level capture) {
        return new CapturedLog((Logger) LoggerFactory.getLogger(source), capture);
    }

    /** Captures the logger named {@code name} (a package-private class's, "jgrad.data.DataImport"). */
    public static CapturedLog of(String name, Level capture) {
        return new CapturedLog((Logger) LoggerFactory.getLogger(name), capture);
    }

    /** The formatted messages at {@code atLeast} and above, in order. */
    public List<String> messages(Level atLeast) {
        return events.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(atLeast))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(events);
        logger.setAdditive(additive);
        logger.setLevel(level);
        events.stop();
    }
}
