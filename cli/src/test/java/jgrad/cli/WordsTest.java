package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

final class WordsTest {

    @Test
    void numbersReadAsTyped() {
        assertEquals("0.0001", Words.number(1e-4f));
        assertEquals("0.001", Words.number(0.001f));
        assertEquals("0.1", Words.number(0.1f));
        assertEquals("250", Words.number(250f));
        assertEquals("-0.5", Words.number(-0.5f));
        assertEquals("1e30", Words.number(1e30f));
        assertEquals("2.5e-12", Words.number(2.5e-12f));
        assertEquals("0.0", Words.number(0f));
        assertEquals("NaN", Words.number(Float.NaN));
    }

    @Test
    void countedNouns() {
        assertEquals("1 epoch", Words.count(1, "epoch"));
        assertEquals("2 epochs", Words.count(2, "epoch"));
        assertEquals("3 passes", Words.count(3, "pass", "passes"));
    }
}
