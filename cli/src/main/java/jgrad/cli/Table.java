package jgrad.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small results table printed two ways: aligned plain text for the terminal and GitHub Markdown
 * for docs/benchmarks. Cells are strings; columns whose cells all look numeric are right-aligned.
 */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.headers = List.of(headers);
    }

    Table add(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size()
                    + " columns: " + Arrays.toString(cells));
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object c : cells) {
            row.add(c == null ? "" : c.toString());
        }
        rows.add(row);
        return this;
    }

    int size() {
        return rows.size();
    }

    String text() {
        int[] width = widths();
        boolean[] right = numericColumns();
        StringBuilder sb = new StringBuilder();
        line(sb, headers, width, right);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            rule.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        }
        sb.append(rule).append('\n');
        for (List<String> row : rows) {
            line(sb, row, width, right);
        }
        return sb.toString();
    }

    String markdown() {
        boolean[] right = numericColumns();
        StringBuilder sb = new StringBuilder("| ");
        sb.append(String.join(" | ", headers.stream().map(Table::escape).toList())).append(" |\n|");
        for (boolean r : right) {
            sb.append(r ? "---:|" : "---|");
        }
        sb.append('\n');
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row.stream().map(Table::escape).toList())).append(" |\n");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            String s = cells.get(c);
            String fill = " ".repeat(width[c] - s.length());
            line.append(c == 0 ? "" : "  ").append(right[c] ? fill + s : s + fill);
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    private int[] widths() {
        int[] w = new int[headers.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = headers.get(c).length();
            for (List<String> row : rows) {
                w[c] = Math.max(w[c], row.get(c).length());
            }
        }
        return w;
    }

    /**
     * A column is numeric when every cell is a number ("12.5", "-3", "0.81x", "45%"), ignoring
     * placeholders (empty, "-", SKIP, FAIL, UNSETTLED, SIMULATED).
     */
    private boolean[] numericColumns() {
        boolean[] out = new boolean[headers.size()];
        for (int c = 0; c < out.length; c++) {
            boolean any = false;
            boolean all = true;
            for (List<String> row : rows) {
                String s = row.get(c);
                if (s.isEmpty() || s.equals("-") || s.equals("SKIP") || s.equals("FAIL")
                        || s.equals(BenchResult.UNSETTLED) || s.equals(BenchResult.SIMULATED)) {
                    continue; // placeholders do not make a column of figures textual
                }
                any = true;
                all &= s.matches("[-+]?[0-9][0-9.,]*( ?[x%×]| ?ms| ?s)?");
            }
            out[c] = any && all;
        }
        return out;
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }
}
