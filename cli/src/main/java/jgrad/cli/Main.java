package jgrad.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jgrad} command: train, eval, export, gradcheck, data, devices, bench, compare, experiment. */
@Command(name = "jgrad", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A deep-learning training engine for the JVM (CPU and CUDA).",
        subcommands = {TrainCommand.class, EvalCommand.class, ExportCommand.class, GradcheckCommand.class, DataCommand.class,
                DevicesCommand.class, BenchCommand.class, CompareCommand.class, ExperimentCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI in-process and returns the exit code (tests call this). */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output streams and returns the exit code. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        Errors errors = new Errors();
        cli.setExecutionExceptionHandler(errors);
        cli.setParameterExceptionHandler(errors);
        Checks.registerFiniteNumbers(cli);
        PathSafeHelp.install(cli);
        ExperimentCommand.describe(cli.getSubcommands().get("experiment"));
        cli.setExecutionStrategy(parsed -> {
            // A bad JGRAD_THREADS / -Djgrad.threads is bad input like a bad option, refused before
            // any command runs (the engine alone would fall back to one thread per core, silently).
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            String threads = jgrad.cpu.Parallel.threadSettingProblem();
            if (threads != null) {
                throw new CommandLine.ParameterException(running(cli), threads);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            return Errors.outOfMemory(running(cli), e);  // picocli passes Errors through
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The (sub)command that was running, for its name in a message. */
    private static CommandLine running(CommandLine root) {
        CommandLine.ParseResult parsed = root.getParseResult();
        if (parsed == null) {
            return root;
        }
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return parsed.commandSpec().commandLine();
    }
}
