package jgrad.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;

/**
 * Reads the {@code config} JSON of a checkpoint into a {@link TrainConfig}, field by field. A
 * checkpoint is untrusted input: a field of the wrong type, out of range or unknown is a
 * {@link ConfigValueException} naming the field, the value and what is allowed, the same exception
 * {@link TrainConfig}'s own checks throw, so the reader of a file never sees a data-binding
 * library's message or a command-line flag. Fields added after checkpoints existed get the value a
 * run had before: {@code stem} seed (only the MLP existed), {@code onNan} stop.
 */
final class StoredConfig {
    /** The fields of a stored config, in {@link TrainConfig}'s order. */
    static final List<String> FIELDS = List.of("model", "steps", "epochs", "batchSize", "lr", "optimizer",
            "activation", "init", "hidden", "weightDecay", "dropout", "batchNorm", "seed", "logEvery", "momentum",
            "lrSchedule", "tMax", "patience", "minDelta", "augment", "stem", "onNan");

    private final ObjectNode json;

    private StoredConfig(ObjectNode json) {
        this.json = json;
    }

    static TrainConfig read(ObjectNode json) {
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ConfigValueException.range(clip(name), "an unknown field", "only the fields "
                        + String.join(", ", FIELDS));
            }
        }
        StoredConfig c = new StoredConfig(json);
        return TrainConfig.builder()
                .model(c.text("model"))
                .steps(c.integer("steps"))
                .epochs(c.integer("epochs"))
                .batchSize(c.integer("batchSize"))
                .lr(c.number("lr"))
                .optimizer(c.text("optimizer"))
                .activation(c.text("activation"))
                .init(c.text("init"))
                .hidden(c.widths("hidden"))
                .weightDecay(c.number("weightDecay"))
                .dropout(c.number("dropout"))
                .batchNorm(c.bool("batchNorm"))
                .seed(c.longInteger("seed"))
                .logEvery(c.integer("logEvery"))
                .momentum(c.number("momentum"))
                .lrSchedule(c.text("lrSchedule"))
                .tMax(c.integer("tMax"))
                .patience(c.integer("patience"))
                .minDelta(c.number("minDelta"))
                .augment(c.text("augment"))
                .stem(c.optionalText("stem", "seed"))
                .onNan(c.optionalText("onNan", "stop"))
                .build();
    }

    private JsonNode required(String field, String allowed) {
        JsonNode v = json.get(field);
        if (v == null) {
            throw ConfigValueException.range(field, "missing", allowed);
        }
        return v;
    }

    private int integer(String field) {
        String allowed = "a 32-bit integer";
        JsonNode v = required(field, allowed);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ConfigValueException.range(field, clip(v.toString()), allowed);
        }
        return v.intValue();
    }

    private long longInteger(String field) {
        JsonNode v = required(field, "a 64-bit integer");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ConfigValueException.range(field, clip(v.toString()), "a 64-bit integer");
        }
        return v.longValue();
    }

    /** A number that is finite as a float; the range itself is {@link TrainConfig}'s to check. */
    private float number(String field) {
        JsonNode v = required(field, "a finite number");
        if (!v.isNumber() || !Float.isFinite(v.floatValue())) {
            throw ConfigValueException.range(field, clip(v.toString()), "a finite number");
        }
        return v.floatValue();
    }

    private boolean bool(String field) {
        JsonNode v = required(field, "true or false");
        if (!v.isBoolean()) {
            throw ConfigValueException.range(field, clip(v.toString()), "true or false");
        }
        return v.booleanValue();
    }

    private String text(String field) {
        JsonNode v = required(field, "a string");
        if (!v.isTextual()) {
            throw ConfigValueException.range(field, clip(v.toString()), "a string");
        }
        return v.textValue();
    }

    private String optionalText(String field, String absent) {
        return json.has(field) ? text(field) : absent;
    }

    /** A list of integers, its length checked before an array of it is made. */
    private int[] widths(String field) {
        JsonNode v = required(field, "a list of widths");
        if (!v.isArray()) {
            throw ConfigValueException.range(field, clip(v.toString()), "a list of widths");
        }
        if (v.size() > TrainConfig.MAX_LAYERS) {
            throw ConfigValueException.range(field, v.size() + " widths", "at most " + TrainConfig.MAX_LAYERS
                    + " widths of at most " + TrainConfig.MAX_WIDTH);
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode w = v.get(i);
            if (!w.isIntegralNumber() || !w.canConvertToInt()) {
                throw ConfigValueException.range(field, clip(v.toString()), "a list of integers from 1 to "
                        + TrainConfig.MAX_WIDTH);
            }
            out[i] = w.intValue();
        }
        return out;
    }

    /** A value shown in a message: control characters replaced, at most 40 characters. */
    static String clip(String s) {
        String flat = s.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 40 ? flat : flat.substring(0, 37) + "...";
    }
}
