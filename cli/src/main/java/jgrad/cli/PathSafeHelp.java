package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * picocli's help with option descriptions wrapped at spaces only. picocli wraps with the JDK's line
 * BreakIterator, which breaks after a dot inside a word, so paths and file names came out split
 * ({@code ~/.} / {@code cache/jgrad}, {@code loss.} / {@code png}) and could not be copied.
 */
final class PathSafeHelp extends Help {
    PathSafeHelp(CommandSpec spec, ColorScheme scheme) {
        super(spec, scheme);
    }

    /** Every command of {@code cli}'s hierarchy renders its help this way. */
    static void install(CommandLine cli) {
        cli.setHelpFactory(PathSafeHelp::new);
    }

    @Override
    public Layout createDefaultLayout() {
        return spacesOnly(super.createDefaultLayout());
    }

    @Override
    public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals,
                                      ColorScheme scheme) {
        return spacesOnly(super.createDefaultLayout(options, positionals, scheme));
    }

    private static Layout spacesOnly(Layout layout) {
        if (layout.textTable() instanceof SpaceWrappedTable) {
            return layout;
        }
        TextTable table = new SpaceWrappedTable(layout.colorScheme(), layout.textTable().columns());
        table.indentWrappedLines = layout.textTable().indentWrappedLines;
        return new Layout(layout.colorScheme(), table, layout.optionRenderer(), layout.parameterRenderer());
    }

    /** Splits a wrapping column's text into lines that fit before picocli sees it, so it breaks nothing. */
    private static final class SpaceWrappedTable extends TextTable {
        private final ColorScheme scheme;

        SpaceWrappedTable(ColorScheme scheme, Column[] columns) {
            super(scheme, columns);
            this.scheme = scheme;
        }

        @Override
        public Cell putValue(int row, int col, Text value) {
            Column column = columns()[col];
            if (column.overflow != Column.Overflow.WRAP || value == null || value.plainString().isEmpty()) {
                return super.putValue(row, col, value);
            }
            // One column spare: picocli wraps a line that fills its column exactly.
            int width = column.width - column.indent - 1;
            List<String> lines = wrap(value.plainString(), width, indentWrappedLines);
            Cell cell = null;
            int r = row;
            for (String line : lines) {
                if (cell != null) {
                    r = cell.row + 1;
                    if (r >= rowCount()) {
                        addEmptyRow();
                    }
                }
                cell = super.putValue(r, col, scheme.ansi().new Text(line, scheme));
            }
            return cell;
        }
    }

    /**
     * {@code text} in lines of at most {@code width} characters, broken at spaces; the lines after the
     * first are indented by {@code indent}. A word longer than a line keeps a line of its own.
     */
    static List<String> wrap(String text, int width, int indent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split(" +")) {
            int limit = lines.isEmpty() ? width : width - indent;
            if (line.length() > 0 && line.length() + 1 + word.length() > limit) {
                lines.add((lines.isEmpty() ? "" : " ".repeat(indent)) + line);
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        if (line.length() > 0) {
            lines.add((lines.isEmpty() ? "" : " ".repeat(indent)) + line);
        }
        return lines;
    }
}
