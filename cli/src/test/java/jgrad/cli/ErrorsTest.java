package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
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
}
