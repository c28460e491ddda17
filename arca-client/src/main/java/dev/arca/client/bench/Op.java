package dev.arca.client.bench;

/** The operation a phase repeats. */
enum Op {
    PUT,
    GET
}
