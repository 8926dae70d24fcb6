package io.exobroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a harness run found, as Markdown: one row per figure with the target it answers and the command that
 * reproduces it, notes, and the invariants that make the run fail (the benchmark's only pass/fail: figures against
 * targets are reported, never asserted, because on a shared machine they are noise-sensitive).
 */
final class Report {

    enum Verdict { MET, MISSED, INFO, NOT_JUDGED }

    record Row(String section, String figure, String value, String target, Verdict verdict, String command) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> brokenInvariants = new ArrayList<>();
    private final Path file;
    private final boolean smoke;

    /** In a smoke run targets are shown but not judged: the scenarios are too small for the figures to mean much. */
    Report(Path file, boolean smoke) {
        this.file = file;
        this.smoke = smoke;
    }

    synchronized void row(String section, String figure, String value, String target, Verdict verdict, String command) {
        rows.add(new Row(section, figure, value, target, verdict, command));
        System.out.printf("[%s] %s: %s%s%n", section, figure, value,
                verdict == Verdict.INFO ? "" : "  (" + target + ": " + verdict + ")");
        save();
    }

    synchronized void info(String section, String figure, String value, String command) {
        row(section, figure, value, "", Verdict.INFO, command);
    }

    synchronized void target(String section, String figure, String value, String target, boolean met, String command) {
        row(section, figure, value, target, smoke ? Verdict.NOT_JUDGED : met ? Verdict.MET : Verdict.MISSED, command);
    }

    synchronized void note(String text) {
        notes.add(text);
        System.out.println("note: " + text);
        save();
    }

    /** A condition every run must meet, smoke included (single flight exact, no errors, no request waiting). */
    synchronized void invariant(boolean holds, String what) {
        if (!holds) {
            brokenInvariants.add(what);
            System.out.println("INVARIANT BROKEN: " + what);
            save();
        }
    }

    synchronized boolean invariantsHold() {
        return brokenInvariants.isEmpty();
    }

    synchronized String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| Section | Figure | Value | Target | Verdict | Command |\n|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            out.append("| ").append(row.section()).append(" | ").append(row.figure()).append(" | ").append(row.value())
                    .append(" | ").append(row.target()).append(" | ")
                    .append(row.verdict() == Verdict.INFO ? "" : row.verdict().name().replace('_', ' ')).append(" | `")
                    .append(row.command()).append("` |\n");
        }
        if (!notes.isEmpty()) {
            out.append("\nNotes:\n");
            notes.forEach(note -> out.append("- ").append(note).append('\n'));
        }
        out.append(brokenInvariants.isEmpty() ? "\nInvariants: all held.\n" : "\nBROKEN INVARIANTS:\n");
        brokenInvariants.forEach(each -> out.append("- ").append(each).append('\n'));
        return out.toString();
    }

    private void save() {
        try {
            Files.writeString(file, markdown());
        } catch (IOException e) {
            System.out.println("cannot write " + file + ": " + e);
        }
    }
}
