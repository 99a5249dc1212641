package jgrad.cli;

import jgrad.device.Devices;
import picocli.CommandLine;

/**
 * Turns the engine's typed errors into one line on stderr and an exit code: 2 for bad arguments
 * (as picocli does for usage errors), 1 for everything that failed at run time. Unexpected
 * exceptions keep their stack trace, since they are bugs.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    static final int BAD_INPUT = 2;
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        String name = cli.getCommandName();
        if (e instanceof IllegalArgumentException) {
            cli.getErr().println(name + ": error: " + e.getMessage());
            cli.getErr().println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more information.");
            return BAD_INPUT;
        }
        if (isTyped(e)) {
            cli.getErr().println(name + ": error: " + e.getMessage());
            return FAILED;
        }
        e.printStackTrace(cli.getErr()); // not a typed error: a bug, keep the trace
        return FAILED;
    }

    private static boolean isTyped(Exception e) {
        String pkg = e.getClass().getName();
        return e instanceof Devices.DeviceUnavailableException
                || e instanceof jgrad.device.DeviceOutOfMemoryException
                || e instanceof jgrad.train.TrainingDivergedException
                || e instanceof jgrad.train.CheckpointException
                || pkg.startsWith("jgrad.data.") || pkg.startsWith("jgrad.io.")
                || e instanceof java.io.IOException;
    }
}
