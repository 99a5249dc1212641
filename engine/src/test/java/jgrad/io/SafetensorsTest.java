package jgrad.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.io.Safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafetensorsTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------- helpers

    /** A raw file: 8-byte LE header length, the header bytes as given (no padding), then the buffer. */
    static byte[] raw(long headerLength, byte[] header, int bufferBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + bufferBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header);
        return b.array();
    }

    static byte[] raw(String header, int bufferBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return raw(h.length, h, bufferBytes);
    }

    private Path file(byte[] bytes) throws IOException {
        Path p = dir.resolve("t.safetensors");
        Files.write(p, bytes);
        return p;
    }

    /** Reads a malformed file and returns the problem, checking the message format on the way. */
    private String problem(byte[] bytes) throws IOException {
        Path p = file(bytes);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        return e.problem();
    }

    private String problem(String header, int bufferBytes) throws IOException {
        return problem(raw(header, bufferBytes));
    }

    private static void assertContains(String haystack, String needle) {
        assertTrue(haystack.contains(needle), "expected '" + needle + "' in: " + haystack);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    // --------------------------------------------------------------------------- round trips

    @Test
    void roundTripPreservesValuesBitsShapesAndMetadata() throws IOException {
        float[] special = {0f, -0f, 1.5f, Float.NaN, Float.intBitsToFloat(0x7fc00123), Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, -3.25e-20f, 7f, 8f};
        float[] big = new float[300_000]; // spans several 1 MiB I/O chunks
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) Math.sin(i * 0.001) * i;
        }
        List<NamedTensor> tensors = List.of(
                new NamedTensor("w.special", new int[] {3, 4}, special),
                new NamedTensor("a.big", new int[] {300, 1000}, big),
                new NamedTensor("scalar", new int[] {}, new float[] {42f}),
                new NamedTensor("empty", new int[] {0, 5}, new float[0]),
                new NamedTensor("ünïcode ✓", new int[] {1}, new float[] {-1f}));
        Map<String, String> meta = Map.of("format", "pt", "model", "mlp", "quote\"and\\slash", "line\nbreak");
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, tensors, meta);

        Safetensors.Contents c = Safetensors.read(p);
        assertEquals(meta, c.metadata());
        assertEquals(tensors.size(), c.tensors().size());
        for (NamedTensor t : tensors) {
            NamedTensor back = c.get(t.name());
            assertArrayEquals(t.shape(), back.shape());
            assertEquals(t.data().length, back.data().length);
            for (int i = 0; i < t.data().length; i++) {
                assertEquals(Float.floatToRawIntBits(t.data()[i]), Float.floatToRawIntBits(back.data()[i]));
            }
            assertEquals(t, back);
        }
        assertNull(c.get("missing"));
        // Written sorted by name (UTF-8 byte order), as the reference implementation does.
        assertEquals(List.of("a.big", "empty", "scalar", "w.special", "ünïcode ✓"),
                c.tensors().stream().map(NamedTensor::name).toList());
        assertEquals(c.tensors().stream().map(NamedTensor::name).toList(), List.copyOf(c.asMap().keySet()));
    }

    @Test
    void exactBytesMatchTheReferenceLayout() throws IOException {
        Path p = dir.resolve("exact.safetensors");
        Safetensors.write(p, List.of(
                new NamedTensor("b", new int[] {2}, new float[] {1f, 2f}),
                new NamedTensor("a", new int[] {1, 1}, new float[] {-2f})), Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(p);
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer expected = ByteBuffer.allocate(8 + padded + 12).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(padded).put(json.getBytes(StandardCharsets.US_ASCII));
        while (expected.position() < 8 + padded) {
            expected.put((byte) ' ');
        }
        expected.putFloat(-2f).putFloat(1f).putFloat(2f);
        assertArrayEquals(expected.array(), bytes);
        assertEquals(0, (bytes.length - 12) % 8, "data buffer starts 8-byte aligned");
    }

    @Test
    void int64ScalarsComeFirstAsTheReferenceSortsWiderDtypesFirst() throws IOException {
        Path p = dir.resolve("counters.safetensors");
        Safetensors.write(p, List.of(new NamedTensor("a.weight", new int[] {1}, new float[] {-2f})),
                List.of(LongTensor.scalar("a.num_batches_tracked", 600L)), Map.of());
        byte[] bytes = Files.readAllBytes(p);
        String json = "{\"a.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer expected = ByteBuffer.allocate(8 + padded + 12).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(padded).put(json.getBytes(StandardCharsets.US_ASCII));
        while (expected.position() < 8 + padded) {
            expected.put((byte) ' ');
        }
        expected.putLong(600L).putFloat(-2f);
        assertArrayEquals(expected.array(), bytes);

        assertEquals(List.of(DType.I64, DType.F32),
                Safetensors.readHeader(p).tensors().stream().map(Safetensors.TensorInfo::dtype).toList());
        Safetensors.Contents floats = Safetensors.readF32(p, java.util.Set.of("a.weight"));
        assertEquals(List.of(new NamedTensor("a.weight", new int[] {1}, new float[] {-2f})), floats.tensors());
        assertContains(assertThrows(SafetensorsException.class,
                () -> Safetensors.readF32(p, java.util.Set.of("a.num_batches_tracked"))).getMessage(),
                "'a.num_batches_tracked' has dtype I64; F32 expected");
        assertContains(assertThrows(SafetensorsException.class,
                () -> Safetensors.readF32(p, java.util.Set.of("b"))).getMessage(), "lacks some of the tensors [b]");
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p,
                List.of(new NamedTensor("x", new int[0], new float[1])), List.of(LongTensor.scalar("x", 1)), Map.of()),
                "a name used by a float and a long tensor");
    }

    @Test
    void emptyFileListAndNullMetadataRoundTrip() throws IOException {
        Path p = dir.resolve("e.safetensors");
        Safetensors.write(p, List.of(), null);
        byte[] bytes = Files.readAllBytes(p);
        assertEquals(16, bytes.length); // "{}" padded to 8
        Safetensors.Contents c = Safetensors.read(p);
        assertEquals(Map.of(), c.metadata());
        assertEquals(List.of(), c.tensors());
    }

    @Test
    void writeIsDeterministic() throws IOException {
        Map<String, String> m1 = new LinkedHashMap<>();
        m1.put("z", "1");
        m1.put("a", "2");
        Map<String, String> m2 = new LinkedHashMap<>();
        m2.put("a", "2");
        m2.put("z", "1");
        NamedTensor x = new NamedTensor("x", new int[] {1}, new float[] {1});
        NamedTensor y = new NamedTensor("y", new int[] {1}, new float[] {2});
        Path p1 = dir.resolve("1");
        Path p2 = dir.resolve("2");
        Safetensors.write(p1, List.of(x, y), m1);
        Safetensors.write(p2, List.of(y, x), m2);
        assertArrayEquals(Files.readAllBytes(p1), Files.readAllBytes(p2));
    }

    @Test
    void writeRejectsBadArguments() {
        Path p = dir.resolve("bad");
        NamedTensor a = new NamedTensor("a", new int[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, List.of(a, a), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p,
                List.of(new NamedTensor("__metadata__", new int[] {1}, new float[] {1})), Map.of()));
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, List.of(a), nullValue));
        assertThrows(IllegalArgumentException.class, () -> new NamedTensor("s", new int[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new NamedTensor("s", new int[] {-1}, new float[0]));
        assertFalse(Files.exists(p));
    }

    @Test
    void readHeaderListsAnyKnownDtypeButReadLoadsOnlyF32() throws IOException {
        String h = "{\"__metadata__\":{\"format\":\"pt\"}," + entry("h", "F16", "[2,3]", 0, 12) + ","
                + entry("w", "F32", "[2]", 12, 20) + "}";
        Path p = file(raw(h, 20));
        Safetensors.Header header = Safetensors.readHeader(p);
        assertEquals(Map.of("format", "pt"), header.metadata());
        assertEquals(List.of(new Safetensors.TensorInfo("h", DType.F16, new int[] {2, 3}, 0, 12),
                new Safetensors.TensorInfo("w", DType.F32, new int[] {2}, 12, 20)), header.tensors());
        assertEquals(8 + h.length(), header.dataOffset());
        assertContains(problem(raw(h, 20)), "dtype F16; only F32 is supported");
    }

    @Test
    void validatesEverythingBeforeRejectingTheDtype() throws IOException {
        // The F16 entry comes first, but the broken layout must be what is reported.
        String h = "{" + entry("h", "F16", "[2]", 0, 4) + "," + entry("w", "F32", "[2]", 8, 16) + "}";
        assertContains(problem(h, 16), "unused bytes");
    }

    @Test
    void tensorsAreReturnedInBufferOrderWhateverTheHeaderOrder() throws IOException {
        String h = "{" + entry("second", "F32", "[1]", 4, 8) + "," + entry("first", "F32", "[1]", 0, 4) + "}";
        byte[] bytes = raw(h, 8);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(bytes.length - 8, 1f)
                .putFloat(bytes.length - 4, 2f);
        Safetensors.Contents c = Safetensors.read(file(bytes));
        assertEquals(List.of("first", "second"), c.tensors().stream().map(NamedTensor::name).toList());
        assertArrayEquals(new float[] {2f}, c.get("second").data());
    }

    @Test
    void metadataNullIsAccepted() throws IOException {
        Safetensors.Contents c = Safetensors.read(file(raw("{\"__metadata__\":null}", 0)));
        assertEquals(Map.of(), c.metadata());
    }

    @Test
    void paddingAndTrailingWhitespaceAreAccepted() throws IOException {
        Safetensors.Contents c = Safetensors.read(file(raw("{" + entry("a", "F32", "[1]", 0, 4) + "}  \n\t  ", 4)));
        assertEquals(1, c.tensors().size());
    }

    // ---------------------------------------------------------------------- malformed: framing

    @Test
    void fileShorterThanEightBytes() throws IOException {
        assertContains(problem(new byte[0]), "shorter than the 8-byte header length");
        assertContains(problem(new byte[7]), "file is 7 bytes");
    }

    @Test
    void headerLengthZero() throws IOException {
        assertContains(problem(new byte[8]), "header length is 0");
    }

    @Test
    void headerLengthOverLimit() throws IOException {
        assertContains(problem(raw(200_000_000L, "{}".getBytes(StandardCharsets.UTF_8), 0)), "exceeds the 100000000-byte limit");
        assertContains(problem(raw(-1L, "{}".getBytes(StandardCharsets.UTF_8), 0)), "18446744073709551615");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        assertContains(problem(raw(3, "{}".getBytes(StandardCharsets.UTF_8), 0)), "exceeds the 2 bytes that follow it");
    }

    // ------------------------------------------------------------------------ malformed: JSON

    @Test
    void headerNotUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertContains(problem(raw(h.length, h, 0)), "not valid UTF-8");
        byte[] overlong = {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'};
        assertContains(problem(raw(overlong.length, overlong, 0)), "not valid UTF-8");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{abc                       | not valid JSON",
        "{\"a\":                     | not valid JSON",
        "{} x                       | not valid JSON",
        "{}{}                       | not valid JSON",
        "[1,2]                      | does not start with '{'",
        "' {}'                      | does not start with '{'",
        "{\"a\":NaN}                 | not valid JSON",
        "{\"a\":{\"b\":1}/*c*/}      | not valid JSON",
    })
    void headerNotJsonObject(String header, String expected) throws IOException {
        assertContains(problem(header, 0), expected);
    }

    @Test
    void deepNestingIsRejectedNotOverflowed() throws IOException {
        String h = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertContains(problem(h, 0), "not valid JSON");
    }

    @Test
    void duplicateNames() throws IOException {
        String h = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}";
        assertContains(problem(h, 8), "duplicate key");
        String dupField = "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertContains(problem(dupField, 4), "duplicate key");
    }

    @Test
    void metadataProblems() throws IOException {
        assertContains(problem("{\"__metadata__\":[1]}", 0), "\"__metadata__\" is not an object");
        assertContains(problem("{\"__metadata__\":{\"epoch\":3}}", 0), "metadata value for 'epoch' is not a string");
        assertContains(problem("{\"__metadata__\":{\"x\":null}}", 0), "not a string");
    }

    // ----------------------------------------------------------------------- malformed: entries

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"a\":5}                                                         | entry is not an object",
        "{\"a\":[]}                                                        | entry is not an object",
        "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}                    | \"dtype\" is missing",
        "{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}       | \"dtype\" is missing or not a string",
        "{\"a\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}  | unknown dtype 'F17'",
        "{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}  | unknown dtype 'f32'",
        "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}                | \"shape\" is missing",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,4]}}    | \"shape\" is missing or not an array",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}} | shape dimension 0 is not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}} | not a non-negative integer: 1.5",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}} | not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}} | not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}} | not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[null],\"data_offsets\":[0,4]}} | not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,4]}} | not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,3000000000],\"data_offsets\":[0,0]}} | exceeds 2147483647",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}} | overflows",
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2],\"data_offsets\":[0,4]}} | overflows",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}                         | \"data_offsets\" is missing",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}     | not an array of two integers",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}} | not an array of two integers",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{}}}      | not an array of two integers",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}  | data_offsets[0] is not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}} | data_offsets[1] is not a non-negative integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}} | data_offsets[1] is not",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}   | begin 4 > end 0",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}   | span 4 bytes but F32 shape [2] needs 8",
        "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}   | needs 4",
    })
    void malformedEntry(String header, String expected) throws IOException {
        assertContains(problem(header, 8), expected);
    }

    @Test
    void offsetsOutsideBuffer() throws IOException {
        assertContains(problem("{" + entry("a", "F32", "[2]", 0, 8) + "}", 4), "lie outside the 4-byte data buffer");
        assertContains(problem("{" + entry("a", "F32", "[1]", 1L << 40, (1L << 40) + 4) + "}", 4), "outside");
    }

    @Test
    void overlappingTensors() throws IOException {
        String h = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        assertContains(problem(h, 12), "tensors 'a' and 'b' overlap");
        String same = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 0, 4) + "}";
        assertContains(problem(same, 4), "overlap");
    }

    @Test
    void gapsAndUnusedBytes() throws IOException {
        String gap = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}";
        assertContains(problem(gap, 12), "4 unused bytes in the data buffer at offset 4 (before tensor 'b')");
        assertContains(problem("{" + entry("a", "F32", "[1]", 0, 4) + "}", 6), "2 unused bytes at the end");
        assertContains(problem("{}", 3), "3 unused bytes at the end");
        assertContains(problem("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), "unused bytes in the data buffer at offset 0");
    }

    @Test
    void hostileNamesAreEscapedInMessages() throws IOException {
        String h = "{\"bad\\nname\\u0000" + "x".repeat(500) + "\":7}";
        String p = problem(h, 0);
        assertContains(p, "'bad\\u000aname\\u0000");
        assertTrue(p.length() < 200, p);
    }

    @Test
    void missingFileIsAPlainIoError() {
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(dir.resolve("nope")));
        assertFalse(e instanceof SafetensorsException);
    }

    @Test
    void largeSuperfluousHeaderIsBounded() throws IOException {
        // A 1 MB metadata string is fine; the limit only bites at 100 MB.
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(("{\"__metadata__\":{\"blob\":\"" + "y".repeat(1_000_000) + "\"}}").getBytes(StandardCharsets.UTF_8));
        Safetensors.Contents c = Safetensors.read(file(raw(h.size(), h.toByteArray(), 0)));
        assertEquals(1_000_000, c.metadata().get("blob").length());
    }
}
