package jgrad.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;

/**
 * A checkpoint edited as someone handing over a file might edit it: taken apart from a real one,
 * any part changed (config and state values, tensors removed, added, given another dtype or a
 * header shape of any size), and written back byte by byte, since jgrad's own writer only writes
 * valid files. It is written as format {@code jgrad-checkpoint/1} without a checksum, which older
 * jgrad versions wrote and which loads unverified: the loader itself must then catch every lie.
 */
final class CraftedCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor as it goes into the file: its header entry and its raw bytes. */
    private record Entry(String name, String dtype, int[] shape, byte[] bytes) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();

    private CraftedCheckpoint() {}

    /** The parts of the checkpoint file {@code real}. */
    static CraftedCheckpoint from(Path real) throws IOException {
        Safetensors.Contents contents = Safetensors.read(real);
        CraftedCheckpoint c = new CraftedCheckpoint();
        c.metadata.putAll(contents.metadata());
        c.metadata.put("format", "jgrad-checkpoint/1");
        c.metadata.remove("checksum");
        for (NamedTensor t : contents.tensors()) {
            ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.data());
            c.tensors.add(new Entry(t.name(), "F32", t.shape(), b.array()));
        }
        return c;
    }

    /** Sets {@code field} of the JSON object in metadata {@code key} (config, state or data); null removes it. */
    CraftedCheckpoint set(String key, String field, JsonNode value) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(metadata.get(key));
            if (value == null) {
                o.remove(field);
            } else {
                o.set(field, value);
            }
            metadata.put(key, JSON.writeValueAsString(o));
            return this;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    CraftedCheckpoint config(String field, JsonNode value) {
        return set("config", field, value);
    }

    /** The whole config of another checkpoint, as a file put together from two runs would have. */
    CraftedCheckpoint configOf(Path other) throws IOException {
        metadata.put("config", Safetensors.read(other).metadata().get("config"));
        return this;
    }

    CraftedCheckpoint remove(String tensor) {
        if (!tensors.removeIf(t -> t.name().equals(tensor))) {
            throw new IllegalArgumentException("no tensor " + tensor);
        }
        return this;
    }

    CraftedCheckpoint add(String tensor, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        tensors.add(new Entry(tensor, "F32", shape, new byte[4 * n]));
        return this;
    }

    /** Stores {@code tensor} as {@code dtype} with {@code bytesPerValue}, its values cut or padded to fit. */
    CraftedCheckpoint dtype(String tensor, String dtype, int bytesPerValue) {
        replace(tensor, t -> {
            int n = t.bytes().length / 4;
            return new Entry(t.name(), dtype, t.shape(), new byte[n * bytesPerValue]);
        });
        return this;
    }

    /** Gives {@code tensor} another header shape, keeping its bytes (so the header may claim more than there is). */
    CraftedCheckpoint shape(String tensor, int... shape) {
        replace(tensor, t -> new Entry(t.name(), t.dtype(), shape, t.bytes()));
        return this;
    }

    private void replace(String tensor, java.util.function.UnaryOperator<Entry> change) {
        for (int i = 0; i < tensors.size(); i++) {
            if (tensors.get(i).name().equals(tensor)) {
                tensors.set(i, change.apply(tensors.get(i)));
                return;
            }
        }
        throw new IllegalArgumentException("no tensor " + tensor);
    }

    /** Writes {@code dir/checkpoint.safetensors}: length, header JSON padded to 8 bytes, data in order. */
    Path writeTo(Path dir) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Entry t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype());
            var shape = e.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(data.size()).add(data.size() + t.bytes().length);
            data.write(t.bytes());
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put(data.toByteArray());
        Files.createDirectories(dir);
        Path file = dir.resolve("checkpoint.safetensors");
        Files.write(file, out.array());
        return file;
    }
}
