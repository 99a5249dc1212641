package jgrad.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reader and writer for the Hugging Face <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, so jgrad weights can be exchanged with PyTorch and friends.
 *
 * <pre>
 *   [8 bytes]  N, unsigned little-endian header length
 *   [N bytes]  UTF-8 JSON: {"__metadata__": {str: str}, "name": {"dtype", "shape", "data_offsets"}, ...}
 *              padded with spaces so that N is a multiple of 8
 *   [rest]     data buffer; data_offsets are [begin, end) relative to its start; little-endian, row-major
 * </pre>
 *
 * <p><b>Writing</b> follows the reference implementation byte for byte where it is deterministic:
 * tensors are laid out by dtype, wider first (I64 before F32, as the reference sorts), then by name (by
 * UTF-8 bytes, as Rust compares strings), the header is compact JSON with keys
 * {@code dtype, shape, data_offsets}. Metadata keys are sorted (the reference uses a hash map, i.e.
 * arbitrary order) and {@code __metadata__} is omitted when empty. Files are written through
 * {@link AtomicFiles}.
 *
 * <p><b>Reading</b> validates the whole header before touching data (see {@link SafetensorsHeaderParser})
 * and throws {@link SafetensorsException} for every malformation. Only F32 data can be loaded for now;
 * {@link #readHeader} lists tensors of any known dtype. Memory use is bounded by the file size: no
 * length field is trusted before it has been checked against the file's actual size.
 */
public final class Safetensors {

    /** The reference rejects headers above this size; so do we, on both sides. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Largest Java array length that every JVM accepts. */
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final JsonFactory JSON = new JsonFactory();

    private Safetensors() {
    }

    /** The dtypes of the reference format, with their element size in bytes. */
    public enum DType {
        BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), F8_E8M0(1), I16(2), U16(2), F16(2), BF16(2),
        I32(4), U32(4), F32(4), F64(8), I64(8), U64(8), C64(8);

        private final int size;

        DType(int size) {
            this.size = size;
        }

        /** Bytes per element. */
        public int size() {
            return size;
        }

        /** The dtype with this exact (case-sensitive) name, or null. */
        static DType byName(String name) {
            for (DType d : values()) {
                if (d.name().equals(name)) {
                    return d;
                }
            }
            return null;
        }
    }

    /**
     * One header entry, already validated.
     *
     * @param begin offset of the first byte, relative to the start of the data buffer
     * @param end   offset one past the last byte
     */
    public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
        public long byteLength() {
            return end - begin;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                    && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
        }

        @Override
        public String toString() {
            return "TensorInfo[" + name + " " + dtype + " " + Arrays.toString(shape) + " @" + begin + ".." + end + "]";
        }
    }

    /**
     * A validated header.
     *
     * @param tensors    entries in data-buffer order (which is name order for files jgrad wrote)
     * @param dataOffset absolute file offset of the data buffer, i.e. 8 + N
     */
    public record Header(Map<String, String> metadata, List<TensorInfo> tensors, long dataOffset) {
    }

    /**
     * A loaded file.
     *
     * @param tensors tensors in data-buffer order
     */
    public record Contents(Map<String, String> metadata, List<NamedTensor> tensors) {
        public Contents {
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            tensors = List.copyOf(tensors);
        }

        /** The tensor with this name, or null. */
        public NamedTensor get(String name) {
            for (NamedTensor t : tensors) {
                if (t.name().equals(name)) {
                    return t;
                }
            }
            return null;
        }

        /** Name to tensor, in data-buffer order. */
        public Map<String, NamedTensor> asMap() {
            Map<String, NamedTensor> map = new LinkedHashMap<>();
            for (NamedTensor t : tensors) {
                map.put(t.name(), t);
            }
            return Collections.unmodifiableMap(map);
        }
    }

    // ------------------------------------------------------------------------------------------ write

    /**
     * Writes F32 tensors and string metadata atomically.
     *
     * @param metadata may be null or empty (then no {@code __metadata__} entry is written)
     * @throws IllegalArgumentException for duplicate names, the reserved name {@code __metadata__},
     *                                  null metadata keys/values, or a header over {@link #MAX_HEADER_BYTES}
     */
    public static void write(Path file, List<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, List.of(), metadata, false);
    }

    /**
     * Writes F32 and I64 tensors and string metadata atomically. As in the reference, the wider dtype
     * comes first in the data buffer (I64, then F32, each sorted by name), so every tensor starts at
     * a multiple of its element size.
     */
    public static void write(Path file, List<NamedTensor> tensors, List<LongTensor> longs, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, longs, metadata, false);
    }

    /**
     * Like {@link #write}, but an existing {@code file} is kept as {@link AtomicFiles#previousOf its
     * .prev backup} once the new content is safely on disk (see {@link AtomicFiles#writeKeepingPrevious}).
     */
    public static void writeKeepingPrevious(Path file, List<NamedTensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, List.of(), metadata, true);
    }

    private static void write(Path file, List<NamedTensor> tensors, List<LongTensor> longs,
                              Map<String, String> metadata, boolean keepPrevious) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(longs, "longs");
        List<NamedTensor> sorted = sortedForWriting(tensors, longs);
        List<LongTensor> sortedLongs = new ArrayList<>(longs);
        sortedLongs.sort(Comparator.comparing(t -> t.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        byte[] header = header(sorted, sortedLongs, metadata == null ? Map.of() : metadata);
        AtomicFiles.IoWriter body = out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (LongTensor t : sortedLongs) {
                ByteBuffer values = ByteBuffer.allocate(8 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
                values.asLongBuffer().put(t.data());
                out.write(values.array());
            }
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (NamedTensor t : sorted) {
                writeFloats(out, t.data(), chunk);
            }
        };
        if (keepPrevious) {
            AtomicFiles.writeKeepingPrevious(file, body);
        } else {
            AtomicFiles.write(file, body);
        }
    }

    private static List<NamedTensor> sortedForWriting(List<NamedTensor> tensors, List<LongTensor> longs) {
        Objects.requireNonNull(tensors, "tensors");
        Set<String> names = new HashSet<>();
        List<String> all = new ArrayList<>();
        tensors.forEach(t -> all.add(Objects.requireNonNull(t, "tensor").name()));
        longs.forEach(t -> all.add(Objects.requireNonNull(t, "tensor").name()));
        for (String name : all) {
            if (name.equals(SafetensorsHeaderParser.METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name '__metadata__' is reserved");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
        }
        List<NamedTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(t -> t.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        return sorted;
    }

    private static byte[] header(List<NamedTensor> sorted, List<LongTensor> longs, Map<String, String> metadata)
            throws IOException {
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("metadata has a null key or value: " + e);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeaderParser.METADATA_KEY);
                for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (LongTensor t : longs) {
                offset = entry(g, t.name(), DType.I64, t.shape(), offset, t.data().length);
            }
            for (NamedTensor t : sorted) {
                offset = entry(g, t.name(), DType.F32, t.shape(), offset, t.data().length);
            }
            g.writeEndObject();
        }
        int pad = (8 - bytes.size() % 8) % 8;
        for (int i = 0; i < pad; i++) {
            bytes.write(' ');
        }
        if (bytes.size() > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("safetensors header would be " + bytes.size()
                    + " bytes, over the " + MAX_HEADER_BYTES + "-byte limit readers enforce");
        }
        return bytes.toByteArray();
    }

    /** One tensor's header entry; returns the offset where the next tensor's data starts. */
    private static long entry(JsonGenerator g, String name, DType dtype, int[] shape, long offset, int count)
            throws IOException {
        long end = offset + (long) dtype.size() * count;
        g.writeObjectFieldStart(name);
        g.writeStringField("dtype", dtype.name());
        g.writeArrayFieldStart("shape");
        for (int d : shape) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        g.writeNumber(end);
        g.writeEndArray();
        g.writeEndObject();
        return end;
    }

    private static void writeFloats(OutputStream out, float[] data, ByteBuffer chunk) throws IOException {
        int perChunk = chunk.capacity() / 4;
        for (int off = 0; off < data.length; off += perChunk) {
            int n = Math.min(perChunk, data.length - off);
            chunk.clear();
            chunk.asFloatBuffer().put(data, off, n); // raw bits, so NaN payloads survive
            out.write(chunk.array(), 0, n * 4);
        }
    }

    // ------------------------------------------------------------------------------------------- read

    /** Reads and validates the header only; works for every known dtype. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    /**
     * Reads a whole file of F32 tensors. The header is validated completely first, so a corrupt file is
     * reported as corrupt even when it also holds a dtype jgrad cannot load yet.
     *
     * @throws SafetensorsException if the file is malformed or holds a tensor that is not F32
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, ch);
            for (TensorInfo t : header.tensors()) {
                if (t.dtype() != DType.F32) {
                    throw new SafetensorsException(file, "tensor " + SafetensorsHeaderParser.quote(t.name())
                            + " has dtype " + t.dtype() + "; only F32 is supported so far");
                }
                if (t.byteLength() / 4 > MAX_ARRAY_LENGTH) {
                    throw new SafetensorsException(file, "tensor " + SafetensorsHeaderParser.quote(t.name())
                            + " has " + t.byteLength() / 4 + " elements, too many for one Java array");
                }
            }
            List<NamedTensor> tensors = new ArrayList<>(header.tensors().size());
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo t : header.tensors()) {
                float[] data = new float[(int) (t.byteLength() / 4)];
                readFloats(file, ch, header.dataOffset() + t.begin(), data, chunk);
                tensors.add(new NamedTensor(t.name(), t.shape(), data));
            }
            return new Contents(header.metadata(), tensors);
        }
    }

    /**
     * Reads the F32 tensors named in {@code names} and nothing else, for a caller that has checked
     * the header ({@link #readHeader}) and wants only some of a file's tensors (a PyTorch state dict
     * also holds int64 counters that jgrad has no use for).
     *
     * @throws SafetensorsException if the file is malformed, lacks one of the names or stores it not as F32
     */
    public static Contents readF32(Path file, Set<String> names) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, ch);
            List<TensorInfo> wanted = new ArrayList<>();
            for (TensorInfo t : header.tensors()) {
                if (names.contains(t.name())) {
                    if (t.dtype() != DType.F32) {
                        throw new SafetensorsException(file, "tensor " + SafetensorsHeaderParser.quote(t.name())
                                + " has dtype " + t.dtype() + "; F32 expected");
                    }
                    wanted.add(t);
                }
            }
            if (wanted.size() != names.size()) {
                throw new SafetensorsException(file, "lacks some of the tensors " + names);
            }
            List<NamedTensor> tensors = new ArrayList<>(wanted.size());
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo t : wanted) {
                float[] data = new float[(int) (t.byteLength() / 4)];
                readFloats(file, ch, header.dataOffset() + t.begin(), data, chunk);
                tensors.add(new NamedTensor(t.name(), t.shape(), data));
            }
            return new Contents(header.metadata(), tensors);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafetensorsException(file, "file is " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, 0, lenBuf);
        long n = lenBuf.getLong(0); // unsigned on disk: values >= 2^63 arrive negative here
        if (n == 0) {
            throw new SafetensorsException(file, "header length is 0");
        }
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsException(file, "header length " + Long.toUnsignedString(n)
                    + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (n > size - 8) {
            throw new SafetensorsException(file, "header length " + n + " exceeds the " + (size - 8)
                    + " bytes that follow it");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(file, ch, 8, headerBuf);
        return SafetensorsHeaderParser.parse(file, headerBuf.array(), size - 8 - n);
    }

    private static void readFloats(Path file, FileChannel ch, long position, float[] data, ByteBuffer chunk)
            throws IOException {
        int perChunk = chunk.capacity() / 4;
        for (int off = 0; off < data.length; off += perChunk) {
            int n = Math.min(perChunk, data.length - off);
            chunk.clear().limit(n * 4);
            readFully(file, ch, position + 4L * off, chunk);
            chunk.flip();
            chunk.asFloatBuffer().get(data, off, n);
        }
    }

    /** Fills {@code buf} from {@code position}; a file that shrank underneath us is reported, not looped on. */
    private static void readFully(Path file, FileChannel ch, long position, ByteBuffer buf) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r <= 0) {
                throw new SafetensorsException(file, "unexpected end of file at byte " + pos
                        + " (was the file truncated while being read?)");
            }
            pos += r;
        }
    }
}
