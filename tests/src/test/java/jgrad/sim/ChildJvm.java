package jgrad.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the jgrad CLI in a fresh JVM with extra environment variables: needed where the CUDA
 * simulator must see an environment variable at load time, or where a fault leaves the CUDA
 * context unusable for the rest of the process (a sticky error, as on a real GPU).
 */
public record ChildJvm(int code, String out, String err) {
    public static ChildJvm run(Map<String, String> env, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx2g", "-cp", classpath, "jgrad.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("jgrad-child", ".out");
        Path err = Files.createTempFile("jgrad-child", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jgrad " + String.join(" ", args) + " did not finish in " + timeoutSeconds
                        + " s; stderr so far:\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new ChildJvm(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
