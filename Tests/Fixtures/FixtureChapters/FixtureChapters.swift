// Chapters for ReportKitTests: each .md here exercises one behaviour of the generator.
