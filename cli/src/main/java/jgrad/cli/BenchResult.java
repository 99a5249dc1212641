package jgrad.cli;

/**
 * One benchmark figure. {@code value} is the throughput at the median time ({@code unit}: GFLOP/s,
 * GB/s or images/s); the times are per call (per training step for the train suite).
 * {@code peakFraction} is value / the device's theoretical peak where one is known, else null.
 * A case that could not run has status SKIP (not available here) or FAIL (went wrong), null
 * figures and the reason in {@code note}. A case whose time per call had not settled when its
 * warm-up ended is UNSETTLED: its times are kept, but no throughput is given for it. A case on a
 * simulated GPU is SIMULATED: it ran once, untimed, and has null figures (see {@link BenchSimulated}).
 */
record BenchResult(String suite, String device, String provider, String item, String unit, Double value,
                   Double medianMs, Double minMs, Double maxMs, Double peakFraction, String status, String note) {

    static final String UNSETTLED = "UNSETTLED";
    static final String SIMULATED = "SIMULATED";

    static BenchResult measured(String suite, String device, String provider, String item, String unit,
                                double value, Measure.Stats t, Double peak, String note) {
        if (!t.settled()) {
            return new BenchResult(suite, device, provider, item, unit, null, t.medianMs(), t.minMs(), t.maxMs(), null,
                    UNSETTLED, "time per call still changing when the warm-up ended (JIT compilation or a busy "
                    + "machine): no figure given; rerun it");
        }
        Double fraction = peak != null && peak > 0 ? value / peak : null;
        return new BenchResult(suite, device, provider, item, unit, value, t.medianMs(), t.minMs(), t.maxMs(),
                fraction, "OK", note);
    }

    /** A case that ran on a simulated GPU: it worked, and no figure is given (none would be a GPU figure). */
    static BenchResult simulated(String suite, String device, String provider, String item, String unit, String note) {
        return new BenchResult(suite, device, provider, item, unit, null, null, null, null, null, SIMULATED, note);
    }

    static BenchResult skipped(String suite, String device, String provider, String item, String unit, String why) {
        return new BenchResult(suite, device, provider, item, unit, null, null, null, null, null, "SKIP", why);
    }

    /** A case that ran and went wrong (a CUDA error, a wrong size): counted as a failure of the run. */
    static BenchResult failed(String suite, String device, String provider, String item, String unit, String why) {
        return new BenchResult(suite, device, provider, item, unit, null, null, null, null, null, "FAIL", why);
    }

    /**
     * The result of a case that threw: not implemented on this device (UnsupportedOperationException)
     * is a SKIP, anything else a FAIL; the message is the reason either way.
     */
    static BenchResult from(RuntimeException e, String suite, BenchTarget t, String item, String unit) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e instanceof UnsupportedOperationException
                ? skipped(suite, t.device(), t.provider(), item, unit, why)
                : failed(suite, t.device(), t.provider(), item, unit, e.getClass().getSimpleName() + ": " + why);
    }

    boolean ok() {
        return "OK".equals(status);
    }
}
