package jgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jgrad.io.AtomicFiles;

/**
 * JSON for the report commands (devices, bench, compare): indented, snake_case keys like the
 * train metrics ({@code median_ms}, {@code driver_version}), written atomically.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private Json() {}

    static String string(Object value) throws IOException {
        return MAPPER.writeValueAsString(value);
    }

    static void write(Path file, Object value) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(value);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, bytes);
    }
}
