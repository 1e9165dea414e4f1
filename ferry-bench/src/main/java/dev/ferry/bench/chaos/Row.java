package dev.ferry.bench.chaos;

/**
 * One line of the suite's table: the fault or input, what was measured, and whether it held
 * ({@code SKIPPED} when the machine could not run it, with the reason in {@code result}).
 */
record Row(String fault, String result, Verdict verdict) {
    /** Whether a row held. */
    enum Verdict {
        PASS,
        FAIL,
        SKIPPED
    }

    static Row pass(String fault, String result) {
        return new Row(fault, result, Verdict.PASS);
    }

    static Row fail(String fault, String result) {
        return new Row(fault, result, Verdict.FAIL);
    }

    static Row skipped(String fault, String reason) {
        return new Row(fault, reason, Verdict.SKIPPED);
    }

    static Row of(boolean held, String fault, String result) {
        return held ? pass(fault, result) : fail(fault, result);
    }
}
