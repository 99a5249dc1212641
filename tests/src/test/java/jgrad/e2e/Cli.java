package jgrad.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import jgrad.cli.Main;
import jgrad.data.DataStore;
import jgrad.data.FileSpec;
import jgrad.data.IdxDatasetSpec;
import org.junit.jupiter.api.Assumptions;

/** Runs the jgrad CLI in-process and captures what it prints (public: the simulator tests in jgrad.sim use it too). */
public record Cli(int code, String out, String err) {
    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** The installed MNIST directory; skips the test (or fails it in CI) when MNIST is not installed. */
    public static Path requireMnist() {
        Path root = DataStore.defaultDataDir();
        boolean present = true;
        for (FileSpec f : IdxDatasetSpec.MNIST.files()) {
            present &= Files.isRegularFile(new DataStore(root).path(IdxDatasetSpec.MNIST, f));
        }
        if (!present && System.getenv("JGRAD_REQUIRE_MNIST") != null) {
            throw new AssertionError("MNIST is required (JGRAD_REQUIRE_MNIST) but not installed in " + root);
        }
        Assumptions.assumeTrue(present, "MNIST not installed in " + root + " (run bin/jgrad data fetch mnist)");
        return root;
    }
}
