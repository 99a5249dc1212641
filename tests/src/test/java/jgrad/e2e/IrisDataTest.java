package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jgrad.data.DataException;
import jgrad.data.Iris;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The shipped Iris CSV loads as Fisher's 150 flowers, and a damaged copy gets one line naming the row. */
class IrisDataTest {
    @Test
    void shippedCsvIsFishersData() {
        Iris iris = Iris.load();
        assertEquals(150, iris.count());
        int[] perSpecies = new int[3];
        for (int label : iris.labels()) {
            perSpecies[label]++;
        }
        assertArrayEquals(new int[] {50, 50, 50}, perSpecies);
        // first and last rows as Fisher's table prints them
        assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, java.util.Arrays.copyOfRange(iris.features(), 0, 4));
        assertArrayEquals(new float[] {5.9f, 3.0f, 5.1f, 1.8f}, java.util.Arrays.copyOfRange(iris.features(), 596, 600));
        assertEquals(2, iris.labels()[149]);
    }

    /** The shipped CSV with line {@code line} (1-based, the header is line 1) replaced. */
    private static String withLine(int line, String replacement) throws IOException {
        List<String> lines;
        try (InputStream in = Iris.class.getClassLoader().getResourceAsStream(Iris.RESOURCE)) {
            lines = new java.util.ArrayList<>(new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().toList());
        }
        lines.set(line - 1, replacement);
        return String.join("\n", lines) + "\n";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "7  | 4.6,3.4,1.4,setosa          | iris.csv: line 7 ('4.6,3.4,1.4,setosa'): expected 5 comma-separated fields, got 4",
        "7  | 4.6,3.4,1.4,0.3,0.2,setosa  | line 7 ('4.6,3.4,1.4,0.3,0.2,setosa'): expected 5 comma-separated fields, got 6",
        "20 | 5.1,x,1.5,0.3,setosa        | line 20 ('5.1,x,1.5,0.3,setosa'): sepal_width 'x' is not a length in cm",
        "20 | 5.1,NaN,1.5,0.3,setosa      | sepal_width 'NaN' is not a length in cm",
        "20 | 5.1,3.8,1e1,0.3,setosa      | petal_length '1e1' is not a length in cm",
        "20 | 5.1,3.8,1.5,0.0,setosa      | petal_width '0.0' is not a positive length",
        "20 | 5.1,3.8,1.5,,setosa         | petal_width '' is not a length in cm",
        "90 | 5.5,2.5,4.0,1.3,iris-rosa   | line 90 ('5.5,2.5,4.0,1.3,iris-rosa'): unknown species 'iris-rosa' (expected "
                + "setosa, versicolor, virginica)",
        "1  | a,b,c,d,e                   | iris.csv: line 1: expected the header "
                + "'sepal_length,sepal_width,petal_length,petal_width,species'",
    })
    void malformedRowIsNamed(int line, String replacement, String message) throws IOException {
        String csv = withLine(line, replacement.strip());
        DataException e = assertThrows(DataException.class, () -> Iris.parse("iris.csv", csv));
        assertContains(e.getMessage(), message.strip());
    }

    @Test
    void changedCopyFailsItsChecksum() throws IOException {
        byte[] bytes = withLine(2, "5.1,3.5,1.4,0.3,setosa").getBytes(StandardCharsets.US_ASCII);
        DataException e = assertThrows(DataException.class, () -> Iris.checked("iris.csv", bytes));
        assertContains(e.getMessage(), "iris.csv: SHA-256 ");
        assertContains(e.getMessage(), " differs from the expected " + Iris.SHA256);
        // the unchanged text passes: the check is on the bytes shipped, not on how they were read
        assertEquals(150, Iris.checked("iris.csv", withLine(2, "5.1,3.5,1.4,0.2,setosa")
                .getBytes(StandardCharsets.US_ASCII)).count());
    }

    @Test
    void missingRowsAreCounted() throws IOException {
        String csv = withLine(151, "");
        DataException e = assertThrows(DataException.class, () -> Iris.parse("iris.csv", csv));
        assertEquals("iris.csv: expected 150 rows after the header, got 149", e.getMessage());
    }

    private static void assertContains(String actual, String part) {
        if (!actual.contains(part)) {
            throw new AssertionError("expected a message containing <" + part + ">, got <" + actual + ">");
        }
    }
}
