package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void textAlignsColumnsAndRightAlignsNumbers() {
        Table t = new Table("device", "GFLOP/s", "note").add("cpu", "12.5", "").add("cuda:0", "1234", "tf32");
        assertEquals("""
                device  GFLOP/s  note
                ------  -------  ----
                cpu        12.5
                cuda:0     1234  tf32
                """, t.text());
    }

    @Test
    void markdownEscapesPipesAndMarksNumericColumns() {
        Table t = new Table("case", "GB/s").add("a|b", "3.5").add("c", "-").add("d", "SKIP");
        assertEquals("| case | GB/s |\n|---|---:|\n| a\\|b | 3.5 |\n| c | - |\n| d | SKIP |\n", t.markdown());
    }

    @Test
    void rowsMustMatchTheColumns() {
        Table t = new Table("a", "b");
        assertThrows(IllegalArgumentException.class, () -> t.add("only one"));
        assertThrows(IllegalArgumentException.class, Table::new);
    }
}
