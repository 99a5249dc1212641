package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's one-liner, `mvn -q -DskipTests package && bin/jgrad ...`, prints nothing but jgrad's
 * own lines into a file or pipe: no JVM incubator warning from bin/jgrad, no escape code from Maven's
 * console library (issue 14, point 7).
 */
@Timeout(120)
class QuietOutputTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    private Run run(List<String> command) throws IOException, InterruptedException {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), command + " did not finish");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void binJgradPrintsNoJvmWarningAndNoEscapeCode() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ROOT.resolve("cli/target/jgrad-cli.jar")),
                "cli/target/jgrad-cli.jar not built (mvn package builds it before this module's tests)");
        Run help = run(List.of("bash", "bin/jgrad", "--help"));
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("Usage: jgrad"), help.out());
        assertEquals("", help.err(), "stderr of --help");
        Run bad = run(List.of("bash", "bin/jgrad", "train", "--epochs", "0"));
        assertEquals(2, bad.code(), "the JVM's exit code passes through the filter");
        assertTrue(bad.err().startsWith("jgrad train: error: --epochs must be positive"), bad.err());
        for (Run r : List.of(help, bad)) {
            assertFalse(r.err().contains("incubator"), r.err());
            assertFalse((r.out() + r.err()).contains("\u001b"), "an escape code in " + r);
        }
    }

    /**
     * scripts/build-dist.sh ships bin/jgrad in the bundle (runtime/ and lib/ beside bin/): there it
     * runs the bundled java on lib/*, with the same filter, so a GPU host's logs carry no JVM warning
     * either. The layout is built here from symlinks to this JDK and the built jars.
     */
    @Test
    void binJgradInTheBundleLayoutRunsItsRuntimeWithoutTheJvmWarning() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ROOT.resolve("cli/target/jgrad-cli.jar")),
                "cli/target/jgrad-cli.jar not built (mvn package builds it before this module's tests)");
        Path bundle = tmp.resolve("jgrad");
        Files.createDirectories(bundle.resolve("bin"));
        Files.copy(ROOT.resolve("bin/jgrad"), bundle.resolve("bin/jgrad"));
        Files.createDirectories(bundle.resolve("runtime/bin"));
        Files.createSymbolicLink(bundle.resolve("runtime/bin/java"),
                Path.of(System.getProperty("java.home"), "bin", "java"));
        Path lib = Files.createDirectories(bundle.resolve("lib"));
        Files.createSymbolicLink(lib.resolve("jgrad-cli.jar"), ROOT.resolve("cli/target/jgrad-cli.jar"));
        try (var jars = Files.list(ROOT.resolve("cli/target/lib"))) {
            for (Path jar : jars.toList()) {
                Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar);
            }
        }
        Run version = run(List.of("bash", bundle.resolve("bin/jgrad").toString(), "--version"));
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("jgrad "), version.out());
        assertEquals("", version.err(), "stderr of --version");
    }

    @Test
    void quietMavenPrintsNoEscapeCode() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ROOT.resolve(".mvn/jvm.config")), "not a source checkout");
        Run mvn;
        try {
            mvn = run(List.of("mvn", "-q", "-o", "-N", "validate"));
        } catch (IOException noMaven) {
            Assumptions.abort("mvn is not on the PATH: " + noMaven.getMessage());
            return;
        }
        assertEquals(0, mvn.code(), mvn.err());
        assertEquals("", mvn.out() + mvn.err(), "`mvn -q` into a file (jansi's reset code was \\e[0m)");
    }
}
