package jgrad.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test of this module that lets a warning reach the build log. A warning a test provokes on
 * purpose is captured with {@link jgrad.CapturedLog} and asserted on; left in the log it reads as a fault to
 * whoever runs the tests, and an unexpected one is a fault. Logback hands this appender every event
 * that reaches the root logger (logback-test.xml); JUnit runs it around every test (extension
 * autodetection, junit-platform.properties). The two instances share one list.
 */
public final class UncapturedWarnings extends AppenderBase<ILoggingEvent>
        implements BeforeEachCallback, AfterEachCallback {
    private static final List<String> SEEN = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
            synchronized (SEEN) {
                SEEN.add(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (SEEN) {
            SEEN.clear();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> seen;
        synchronized (SEEN) {
            seen = List.copyOf(SEEN);
            SEEN.clear();
        }
        if (!seen.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left warnings in the log; capture the ones it "
                    + "provokes (CapturedLog) and assert on them: " + seen);
        }
    }
}
