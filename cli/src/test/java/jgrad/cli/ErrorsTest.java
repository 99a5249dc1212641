package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import jgrad.device.DeviceOutOfMemoryException;
import jgrad.device.MemoryStats;
import jgrad.train.CheckpointException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Run-time failures the engine types become one line on stderr and exit code 1, without a stack trace. */
class ErrorsTest {
    @CommandLine.Command(name = "train")
    static final class Dummy {}

    private static String handled(Exception e, int expectedCode) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Dummy());
        cli.setErr(new PrintWriter(err, true));
        assertEquals(expectedCode, new Errors().handleExecutionException(e, cli, null));
        return err.toString();
    }

    @Test
    void deviceOutOfMemoryIsOneLine() {
        String msg = "CUDA out of memory: tried to allocate 8.00 GiB; Hint: lower --batch-size";
        assertEquals("train: error: " + msg + System.lineSeparator(),
                handled(new DeviceOutOfMemoryException(msg, 1L << 33, new MemoryStats(0, 0, 0)), Errors.FAILED));
    }

    @Test
    void corruptCheckpointIsOneLine() {
        String msg = "checkpoint /x/checkpoint.safetensors is corrupt: checksum mismatch";
        assertEquals("train: error: " + msg + System.lineSeparator(), handled(new CheckpointException(msg), Errors.FAILED));
    }

    /**
     * A CPU thread count that is no whole number >= 1 is bad input like a bad option: one line and
     * exit 2 before the command runs (it was ignored, one thread per core used instead); --help still answers.
     */
    @Test
    void badThreadSettingIsRefusedBeforeTheCommandRuns() {
        String before = System.getProperty("jgrad.threads");
        System.setProperty("jgrad.threads", "two");
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "devices");
            assertEquals(Errors.BAD_INPUT, code, err.toString());
            assertEquals(List.of("jgrad devices: error: -Djgrad.threads is 'two': the CPU thread count must be a whole "
                    + "number >= 1 (leave it unset for one thread per core)",
                    "Try 'jgrad devices --help' for more information."), err.toString().lines().toList());
            assertEquals("", out.toString());
            assertEquals(0, Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                    "devices", "--help"));
        } finally {
            if (before == null) {
                System.clearProperty("jgrad.threads");
            } else {
                System.setProperty("jgrad.threads", before);
            }
        }
    }
}
