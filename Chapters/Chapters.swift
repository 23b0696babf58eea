// The chapters are the .md files beside this one; the ChapterCells plugin compiles their Swift cells.
