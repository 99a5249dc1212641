package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.nio.file.Path;
import jgrad.CapturedLog;
import jgrad.data.DataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jgrad data` says each thing once (issue 14, smaller points). */
class DataCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void verifyingADataSetThatIsNotInstalledSaysSoOnce() {
        Path dir = tmp.resolve("data");
        Cli r = Cli.run("data", "verify", "fashion-mnist", "--data-dir", dir.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("fashion-mnist: not installed in " + dir.resolve("fashion-mnist")
                + "; run `jgrad data fetch fashion-mnist` or `jgrad data import PATH`", r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    void fetchingAnInstalledDataSetSaysAlreadyPresentOnce() {
        Path root = Cli.requireMnist();
        Cli r;
        try (CapturedLog log = CapturedLog.of(DataStore.class, Level.INFO)) {
            r = Cli.run("data", "fetch", "mnist", "--data-dir", root.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals("[]", log.messages(Level.INFO).toString(), "the command's own line is the only one");
        }
        assertEquals("mnist: already present and verified in " + root.resolve("mnist"), r.out().strip());
    }
}
