package jgrad.cli;

import java.io.PrintWriter;
import java.util.List;
import jgrad.device.Devices;
import picocli.CommandLine;

/**
 * Turns bad input and the engine's typed errors into one line on stderr and an exit code: 2 for
 * bad arguments, whether picocli finds them while parsing or a command's checks do (an
 * IllegalArgumentException), followed by a line pointing at --help; 1 for everything that failed
 * at run time. Every line reads "jgrad CMD: error: ...". Unexpected exceptions keep their stack
 * trace, since they are bugs.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    static final int BAD_INPUT = 2;
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (e instanceof java.io.UncheckedIOException wrapped) {
            e = wrapped.getCause();  // a write inside a callback that could not throw IOException
        }
        if (e instanceof jgrad.train.ConfigValueException bad) {
            return usage(cli, bad.asOption());  // the engine's check, worded with the option it came from
        }
        if (e instanceof IllegalArgumentException) {
            return usage(cli, e.getMessage());
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() == null && fs.getFile() != null) {
            cli.getErr().println(prefix(cli) + fs.getFile() + ": " + Checks.reason(fs));  // Java leaves out the why
            return FAILED;
        }
        if (isTyped(e)) {
            cli.getErr().println(prefix(cli) + e.getMessage());
            return FAILED;
        }
        e.printStackTrace(cli.getErr()); // not a typed error: a bug, keep the trace
        return FAILED;
    }

    /** picocli's parse errors (unknown option, not a number, missing value) in the same form, without the usage dump. */
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            String didYouMean = suggestions.isEmpty() ? null
                    : "did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?";
            CommandLine at = e.getCommandLine();
            List<String> words = unmatched.getUnmatched();
            if (at.getParent() == null && !at.getSubcommands().isEmpty() && !words.isEmpty()
                    && args.length > 0 && words.get(0).equals(args[0]) && !args[0].startsWith("-")) {
                // "jgrad foo": picocli says "Unmatched argument at index 0"; say what the word is not.
                // picocli's own suggestions are loose ("frobnicate": "data or devices"), so the hint is Nearest's.
                message = "'" + args[0] + "' is not a " + at.getCommandName() + " command; "
                        + Nearest.name(args[0], at.getSubcommands().keySet()).map(n -> "did you mean " + n + "?")
                                .orElse("the commands are " + String.join(", ", at.getSubcommands().keySet()));
            } else if (didYouMean != null) {
                message += " (" + didYouMean + ")";
            }
        }
        return usage(e.getCommandLine(), message);
    }

    /** A bad argument: the message and where to read about the options; exit 2. */
    static int usage(CommandLine cli, String message) {
        PrintWriter err = cli.getErr();
        err.println(prefix(cli) + message);
        err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return BAD_INPUT;
    }

    /**
     * The JVM heap is exhausted (a huge --hidden or --steps): one line instead of the trace, exit 1
     * (the arguments were valid; this machine cannot run them). By the time this runs, the frames
     * that held the big arrays are gone, so printing is safe.
     */
    static int outOfMemory(CommandLine cli, OutOfMemoryError e) {
        long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
        cli.getErr().println(prefix(cli) + "out of memory (" + e.getMessage() + ", the JVM's limit is " + maxMiB
                + " MiB): make the job smaller (--hidden, --batch-size, --steps) or raise the limit with "
                + "JGRAD_JAVA_OPTS=-Xmx<size>");
        cli.getErr().flush();
        return FAILED;
    }

    static void warn(CommandLine cli, String message) {
        cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": warning: " + message);
        cli.getErr().flush();
    }

    private static String prefix(CommandLine cli) {
        return cli.getCommandSpec().qualifiedName() + ": error: ";
    }

    private static boolean isTyped(Exception e) {
        String pkg = e.getClass().getName();
        return e instanceof Devices.DeviceUnavailableException
                || e instanceof jgrad.device.DeviceOutOfMemoryException
                || e instanceof jgrad.train.TrainingDivergedException
                || e instanceof jgrad.train.CheckpointException
                || e instanceof jgrad.onnx.OnnxExportException
                || pkg.startsWith("jgrad.data.") || pkg.startsWith("jgrad.io.")
                || e instanceof java.io.IOException;
    }
}
