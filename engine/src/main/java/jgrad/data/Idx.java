package jgrad.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader (and, for tests and tools, writer) of LeCun's IDX format: a 4-byte magic
 * {@code 0x00 0x00 <type> <ndims>}, {@code ndims} big-endian 32-bit dimensions, then the data.
 * Only unsigned bytes (type 0x08) are supported, which is all MNIST-style datasets use.
 *
 * <p>Header sizes are never trusted before they are checked: for a raw file against its length,
 * for gzip by reading the data in chunks so that a lying header on a small file cannot make us
 * allocate gigabytes. Gzip is detected from the content (0x1f 0x8b), never from the file name.
 */
public final class Idx {
    public static final int TYPE_UNSIGNED_BYTE = 0x08;
    public static final int MAX_DIMS = 4;
    /** Any value means "whatever the header says" when passed as {@code expectedDims}. */
    public static final int ANY_DIMS = 0;

    /** How many trailing bytes we bother to count before saying "more than". */
    private static final long TRAILING_COUNT_LIMIT = 1 << 20;
    /** Java arrays cannot quite reach Integer.MAX_VALUE elements on all VMs. */
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private Idx() {}

    /** Reads a raw or gzipped IDX file with any number of dimensions. */
    public static IdxArray read(Path file) {
        return read(file, ANY_DIMS);
    }

    /**
     * Reads a raw or gzipped IDX file that must have {@code expectedDims} dimensions
     * (3 for images, 1 for labels; {@link #ANY_DIMS} to accept any).
     */
    public static IdxArray read(Path file, int expectedDims) {
        String name = file.getFileName().toString();
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = new BufferedInputStream(raw, 1 << 16);
            if (isGzip(in)) {
                return parseStream(name, gunzip(in), -1, expectedDims);
            }
            return parseStream(name, in, Files.size(file), expectedDims);
        } catch (NoSuchFileException e) {
            throw DataException.inFile(name, "file not found: " + file, e);
        } catch (IOException e) {
            throw DataException.inFile(name, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses IDX content already in memory (raw or gzipped); {@code name} is used in messages. */
    public static IdxArray parse(String name, byte[] content, int expectedDims) {
        try {
            InputStream in = new ByteArrayInputStream(content);
            if (isGzip(in)) {
                return parseStream(name, gunzip(in), -1, expectedDims);
            }
            return parseStream(name, in, content.length, expectedDims);
        } catch (IOException e) {
            throw DataException.inFile(name, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Serialises an array as a raw (uncompressed) unsigned-byte IDX file. */
    public static byte[] encode(IdxArray array) {
        int[] dims = array.dims();
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * dims.length + array.data().length);
        buf.put((byte) 0).put((byte) 0).put((byte) TYPE_UNSIGNED_BYTE).put((byte) dims.length);
        for (int d : dims) {
            buf.putInt(d);
        }
        buf.put(array.data());
        return buf.array();
    }

    /** True if the stream starts with the gzip magic; the stream must support mark/reset. */
    static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    static InputStream gunzip(InputStream in) throws IOException {
        return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }

    /**
     * The parser proper, on uncompressed content. {@code knownLength} is its total length when
     * known (raw files), or -1 (gzip), in which case the data is read in bounded chunks. Reads
     * exactly the bytes the header describes, plus one to detect trailing garbage when the length
     * is unknown.
     */
    static IdxArray parseStream(String name, InputStream in, long knownLength, int expectedDims)
            throws IOException {
        try {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4) {
                throw DataException.inFile(name, "truncated: file has " + magic.length
                        + " bytes, too short for an IDX header");
            }
            int magicValue = ByteBuffer.wrap(magic).getInt();
            int type = magic[2] & 0xff;
            int ndims = magic[3] & 0xff;
            // Zero prefix and a type code IDX defines, or it is not an IDX file at all.
            if (magic[0] != 0 || magic[1] != 0 || typeName(type) == null) {
                throw DataException.inFile(name, "bad magic " + hex8(magicValue) + " (expected "
                        + expectedMagic(expectedDims) + ")");
            }
            if (type != TYPE_UNSIGNED_BYTE) {
                throw DataException.inFile(name, "unsupported IDX type code " + String.format("0x%02X", type)
                        + " (" + typeName(type) + "); only unsigned byte (0x08) is supported");
            }
            if (expectedDims != ANY_DIMS && ndims != expectedDims) {
                throw DataException.inFile(name, "bad magic " + hex8(magicValue) + " (expected "
                        + expectedMagic(expectedDims) + ")");
            }
            if (ndims < 1 || ndims > MAX_DIMS) {
                throw DataException.inFile(name, "bad dimension count " + ndims + " in magic "
                        + hex8(magicValue) + " (expected 1.." + MAX_DIMS + ")");
            }

            byte[] header = in.readNBytes(4 * ndims);
            long headerBytes = 4L + 4L * ndims;
            if (header.length < 4 * ndims) {
                throw DataException.inFile(name, "truncated: header declares " + ndims
                        + " dimensions but file ends after " + (4 + header.length) + " bytes");
            }
            ByteBuffer hb = ByteBuffer.wrap(header);
            int[] dims = new int[ndims];
            long dataBytes = 1;
            for (int i = 0; i < ndims; i++) {
                long d = Integer.toUnsignedLong(hb.getInt());
                if (d == 0) {
                    throw DataException.inFile(name, "dimension " + i + " is 0 (dims " + dimsText(hb, ndims) + ")");
                }
                if (d > Integer.MAX_VALUE) {
                    throw DataException.inFile(name, "dimension " + i + " is " + d + ", too large (dims "
                            + dimsText(hb, ndims) + ")");
                }
                dims[i] = (int) d;
                // dataBytes <= MAX_DATA_BYTES < 2^31 and d < 2^31: the exact product is below 2^62.
                dataBytes = Math.multiplyExact(dataBytes, d);
                if (dataBytes > MAX_DATA_BYTES) {
                    throw DataException.inFile(name, "header dims " + dimsText(hb, ndims)
                            + " describe more than " + MAX_DATA_BYTES + " bytes, too large for one array");
                }
            }
            long expectedTotal = headerBytes + dataBytes;
            int n = (int) dataBytes;

            byte[] data;
            if (knownLength >= 0) {
                // Raw file: compare against the real length before allocating anything.
                if (knownLength < expectedTotal) {
                    throw DataException.inFile(name, "truncated: header says " + describe(dims)
                            + " (" + expectedTotal + " bytes) but file has " + knownLength + " bytes");
                }
                if (knownLength > expectedTotal) {
                    throw DataException.inFile(name, "trailing bytes: header says " + describe(dims)
                            + " (" + expectedTotal + " bytes) but file has " + knownLength + " bytes");
                }
                data = new byte[n];
                int got = in.readNBytes(data, 0, n);
                if (got < n) { // the file shrank under us
                    throw DataException.inFile(name, "truncated: header says " + describe(dims)
                            + " (" + expectedTotal + " bytes) but only " + (headerBytes + got) + " could be read");
                }
            } else {
                // Unknown length (gzip): readNBytes(int) grows in small chunks, so memory stays
                // proportional to the bytes actually present, not to what the header claims.
                data = in.readNBytes(n);
                if (data.length < n) {
                    throw DataException.inFile(name, "truncated: header says " + describe(dims)
                            + " (" + expectedTotal + " bytes) but file has " + (headerBytes + data.length)
                            + " bytes (after gzip decompression)");
                }
                long extra = countRemaining(in);
                if (extra > 0) {
                    String has = extra > TRAILING_COUNT_LIMIT
                            ? "more than " + (expectedTotal + TRAILING_COUNT_LIMIT)
                            : String.valueOf(expectedTotal + extra);
                    throw DataException.inFile(name, "trailing bytes: header says " + describe(dims)
                            + " (" + expectedTotal + " bytes) but file has " + has
                            + " bytes (after gzip decompression)");
                }
            }
            return new IdxArray(dims, data);
        } catch (ZipException | EOFException e) {
            throw DataException.inFile(name, "corrupt gzip data: " + e.getMessage(), e);
        }
    }

    private static long countRemaining(InputStream in) throws IOException {
        long count = 0;
        byte[] buf = new byte[8192];
        int r;
        while (count <= TRAILING_COUNT_LIMIT && (r = in.read(buf)) > 0) {
            count += r;
        }
        return count;
    }

    /** "60000 images of 28×28" for 3-d data, "60000 entries" for 1-d, "N items of a×b×c" otherwise. */
    static String describe(int[] dims) {
        if (dims.length == 1) {
            return dims[0] + " entries";
        }
        StringJoiner item = new StringJoiner("×");
        for (int i = 1; i < dims.length; i++) {
            item.add(String.valueOf(dims[i]));
        }
        return dims[0] + (dims.length == 3 ? " images of " : " items of ") + item;
    }

    private static String dimsText(ByteBuffer header, int ndims) {
        StringJoiner j = new StringJoiner("×");
        for (int i = 0; i < ndims; i++) {
            j.add(Long.toString(Integer.toUnsignedLong(header.getInt(4 * i))));
        }
        return j.toString();
    }

    private static String expectedMagic(int expectedDims) {
        if (expectedDims == ANY_DIMS) {
            return "0x000008NN for unsigned-byte IDX with NN dimensions";
        }
        return hex8((TYPE_UNSIGNED_BYTE << 8) | expectedDims) + " for unsigned-byte " + expectedDims + "-d IDX";
    }

    private static String hex8(int v) {
        return String.format("0x%08X", v);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            case TYPE_UNSIGNED_BYTE -> "unsigned byte";
            default -> null;
        };
    }
}
