package dev.loupe.sandbox;

/** A language the sandbox can run: the file the source is written to inside the work dir. */
public enum Language {
    /** One Java source file, run with the JDK's single-file source launcher (the first top-level class is main). */
    JAVA("Main.java"),
    /** A Python 3 script, run in isolated mode ({@code -I}: no user site, no PYTHON* variables). */
    PYTHON("main.py");

    private final String fileName;

    Language(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }
}
