package jgrad.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jgrad.io.Safetensors.DType;
import jgrad.io.Safetensors.Header;
import jgrad.io.Safetensors.TensorInfo;

/**
 * Validates a safetensors JSON header against the rules of the reference (Rust) implementation.
 * Every problem becomes a {@link SafetensorsException}; no other exception type may escape, which
 * {@code SafetensorsFuzzTest} checks with random mutations.
 */
final class SafetensorsHeaderParser {

    static final String METADATA_KEY = "__metadata__";

    /** A valid header is only three levels deep; a small limit bounds the work on hostile input. */
    private static final int MAX_NESTING_DEPTH = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            // Duplicate tensor names would silently shadow each other with last-one-wins maps.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    // Jackson's default (20 M chars) is below what a legal 100 MB header may hold.
                    .maxStringLength((int) Safetensors.MAX_HEADER_BYTES)
                    .build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path file;

    private SafetensorsHeaderParser(Path file) {
        this.file = file;
    }

    /**
     * Parses and validates the header.
     *
     * @param headerBytes the N header bytes (padding included)
     * @param bufferBytes size of the data buffer that follows the header
     */
    static Header parse(Path file, byte[] headerBytes, long bufferBytes) throws SafetensorsException {
        return new SafetensorsHeaderParser(file).parse(headerBytes, bufferBytes);
    }

    private Header parse(byte[] headerBytes, long bufferBytes) throws SafetensorsException {
        // The reference insists on '{' first: leading whitespace or a BOM means a foreign writer.
        if (headerBytes.length == 0 || headerBytes[0] != '{') {
            throw fail("header does not start with '{'");
        }
        JsonNode root = parseJson(decodeUtf8(headerBytes));
        if (!root.isObject()) {
            throw fail("header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(field.getValue());
            } else {
                tensors.add(parseEntry(field.getKey(), field.getValue(), bufferBytes));
            }
        }
        List<TensorInfo> byOffset = checkLayout(tensors, bufferBytes);
        return new Header(metadata, byOffset, 8L + headerBytes.length);
    }

    private String decodeUtf8(byte[] bytes) throws SafetensorsException {
        try {
            // Strict decoder: String's own constructor would silently substitute U+FFFD.
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail("header is not valid UTF-8", e);
        }
    }

    private JsonNode parseJson(String text) throws SafetensorsException {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String msg = oneLine(e.getOriginalMessage());
            if (msg.startsWith("Duplicate field")) {
                throw fail("duplicate key in header: " + msg, e);
            }
            throw fail("header is not valid JSON: " + msg, e);
        }
    }

    private Map<String, String> parseMetadata(JsonNode node) throws SafetensorsException {
        if (node.isNull()) {
            return Map.of(); // the reference models metadata as Option<HashMap>, so null is legal
        }
        if (!node.isObject()) {
            throw fail("\"" + METADATA_KEY + "\" is not an object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw fail("metadata value for " + quote(e.getKey()) + " is not a string");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private TensorInfo parseEntry(String name, JsonNode entry, long bufferBytes) throws SafetensorsException {
        String where = "tensor " + quote(name);
        if (!entry.isObject()) {
            throw fail(where + ": entry is not an object");
        }
        JsonNode dtypeNode = entry.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw fail(where + ": \"dtype\" is missing or not a string");
        }
        DType dtype = DType.byName(dtypeNode.textValue());
        if (dtype == null) {
            throw fail(where + ": unknown dtype " + quote(dtypeNode.textValue()));
        }
        int[] shape = parseShape(where, entry.get("shape"));
        long[] offsets = parseOffsets(where, entry.get("data_offsets"));
        long expected;
        try {
            long count = 1;
            for (int dim : shape) {
                count = Math.multiplyExact(count, (long) dim);
            }
            expected = Math.multiplyExact(count, (long) dtype.size());
        } catch (ArithmeticException e) {
            throw fail(where + ": shape " + Arrays.toString(shape) + " overflows when multiplied out");
        }
        long actual = offsets[1] - offsets[0];
        if (actual != expected) {
            throw fail(where + ": data_offsets span " + actual + " bytes but " + dtype + " shape "
                    + Arrays.toString(shape) + " needs " + expected);
        }
        if (offsets[1] > bufferBytes) {
            throw fail(where + ": data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] lie outside the " + bufferBytes + "-byte data buffer");
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private int[] parseShape(String where, JsonNode node) throws SafetensorsException {
        if (node == null || !node.isArray()) {
            throw fail(where + ": \"shape\" is missing or not an array");
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = node.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.longValue() < 0) {
                throw fail(where + ": shape dimension " + i + " is not a non-negative integer: "
                        + clip(dim.toString()));
            }
            if (dim.longValue() > Integer.MAX_VALUE) {
                // Only a zero-sized tensor could legally carry such a dim; jgrad shapes are int[].
                throw fail(where + ": shape dimension " + i + " = " + dim.longValue() + " exceeds "
                        + Integer.MAX_VALUE);
            }
            shape[i] = (int) dim.longValue();
        }
        return shape;
    }

    private long[] parseOffsets(String where, JsonNode node) throws SafetensorsException {
        if (node == null || !node.isArray() || node.size() != 2) {
            throw fail(where + ": \"data_offsets\" is missing or not an array of two integers");
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw fail(where + ": data_offsets[" + i + "] is not a non-negative integer: "
                        + clip(v.toString()));
            }
            offsets[i] = v.longValue();
        }
        if (offsets[0] > offsets[1]) {
            throw fail(where + ": data_offsets begin " + offsets[0] + " > end " + offsets[1]);
        }
        return offsets;
    }

    /**
     * The reference requires the tensors, sorted by offset, to tile the buffer exactly: no overlap
     * (two tensors aliasing bytes) and no gaps or trailing bytes (hidden, unaccounted data).
     */
    private List<TensorInfo> checkLayout(List<TensorInfo> tensors, long bufferBytes)
            throws SafetensorsException {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long cursor = 0;
        TensorInfo previous = null;
        Set<String> names = new HashSet<>();
        for (TensorInfo t : sorted) {
            if (!names.add(t.name())) {
                throw fail("duplicate tensor name " + quote(t.name())); // unreachable with strict JSON
            }
            if (t.begin() < cursor) {
                throw fail("tensors " + quote(previous.name()) + " and " + quote(t.name()) + " overlap");
            }
            if (t.begin() > cursor) {
                throw fail((t.begin() - cursor) + " unused bytes in the data buffer at offset " + cursor
                        + " (before tensor " + quote(t.name()) + ")");
            }
            cursor = t.end();
            previous = t;
        }
        if (cursor != bufferBytes) {
            throw fail((bufferBytes - cursor) + " unused bytes at the end of the data buffer (tensors end at "
                    + cursor + " of " + bufferBytes + ")");
        }
        return List.copyOf(sorted);
    }

    private SafetensorsException fail(String problem) {
        return new SafetensorsException(file, problem);
    }

    private SafetensorsException fail(String problem, Throwable cause) {
        return new SafetensorsException(file, problem, cause);
    }

    /** Quotes a name for a one-line message: control characters escaped, long names clipped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        String clipped = clip(s);
        for (int i = 0; i < clipped.length(); i++) {
            char c = clipped.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('\'').toString();
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String oneLine(String s) {
        String flat = s == null ? "(no detail)" : s.replaceAll("\\s+", " ").trim();
        return flat.length() <= 200 ? flat : flat.substring(0, 197) + "...";
    }
}
