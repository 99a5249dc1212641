package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's --help renders cleanly: picocli formats descriptions with String.format, so a
 * bare '%' ("10% of an epoch") made it print a "Could not format" warning to stderr on every
 * `jgrad train --help`.
 */
class HelpTextTest {

    private static void collect(CommandLine cmd, List<CommandLine> into) {
        into.add(cmd);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            if (!into.contains(sub)) {
                collect(sub, into);
            }
        }
    }

    @Test
    void everyCommandsHelpFormatsWithoutWarnings() {
        List<CommandLine> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), commands);
        assertTrue(commands.size() >= 8, "commands found: " + commands.size());
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            for (CommandLine cmd : commands) {
                String usage = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
                assertFalse(usage.isBlank(), cmd.getCommandName());
                assertFalse(usage.contains("%n"), cmd.getCommandName() + " help shows a raw %n");
            }
        } finally {
            System.setErr(saved);
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8), "picocli warnings while rendering --help");
    }

    /**
     * Issue 14: picocli's wrapping broke "~/.cache/jgrad" after "~/." and "loss.png" after "loss.". Every
     * path-like word of an option's description (a dot or slash inside it) stands whole in the help.
     */
    @Test
    void helpNeverBreaksAPathOrFileName() {
        List<CommandLine> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), commands);
        java.util.regex.Pattern pathLike = java.util.regex.Pattern.compile("[\\w~$-]*[./][\\w./~-]*\\w");
        int checked = 0;
        for (CommandLine cmd : commands) {
            // As the user runs it: `jgrad data fetch --help`.
            List<String> args = new ArrayList<>(List.of(cmd.getCommandSpec().qualifiedName().split(" ")));
            args.remove(0);
            args.add("--help");
            java.io.StringWriter out = new java.io.StringWriter();
            assertEquals(0, Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()),
                    args.toArray(String[]::new)), String.join(" ", args));
            String usage = out.toString();
            for (CommandLine.Model.OptionSpec o : cmd.getCommandSpec().options()) {
                var m = pathLike.matcher(String.join(" ", o.description()));
                while (!o.hidden() && m.find()) {
                    String word = m.group();
                    if (word.matches(".*[./][A-Za-z].*")) {
                        assertTrue(usage.contains(word), String.join(" ", args) + " breaks '" + word + "':\n" + usage);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked >= 10, "paths and file names checked: " + checked);
    }

    /** gradcheck's --help lists only what it takes: no training options, and --model says mlp only. */
    @Test
    void gradcheckHelpShowsOnlyWhatApplies() {
        CommandLine gradcheck = new CommandLine(new Main()).getSubcommands().get("gradcheck");
        String usage = gradcheck.getUsageMessage(CommandLine.Help.Ansi.OFF);
        for (String option : GradcheckCommand.hiddenOptions()) {
            assertFalse(usage.contains(option + " ") || usage.contains(option + "="), option + " in\n" + usage);
        }
        assertFalse(usage.contains("resnet18"), usage);
        // it trains nothing and reads only test images: "Train on the first N training images" is no option of it
        assertFalse(usage.contains("--train-limit"), usage);
        assertTrue(usage.contains("--test-limit"), usage);
        assertTrue(usage.contains("mlp only"), usage);
        for (String option : List.of("--examples", "--coordinates", "--h", "--tolerance", "--hidden", "--seed")) {
            assertTrue(usage.contains(option), option + " missing from\n" + usage);
        }
        // still parsed, so that giving one is refused with its reason rather than "Unknown option"
        assertTrue(gradcheck.getCommandSpec().findOption("--lr").hidden());
    }

    /** compare's --device names the GPU side (cpu is refused): its help must not offer cpu or a fallback to it. */
    @Test
    void compareDeviceHelpNamesTheGpuSide() {
        CommandLine compare = new CommandLine(new Main()).getSubcommands().get("compare");
        String usage = compare.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        assertFalse(usage.contains("else cpu"), usage);
        assertTrue(usage.contains("--device=<device> The GPU side: cuda, cuda:N or auto (cuda:0); the CPU side always "
                + "runs (default: auto)."), usage);
    }
}
