// The `report` command: the chapters compiled into this binary, handed to the command line.
import Chapters
import ReportKit

ReportCommand.compiledChapters = compiledChapters
ReportCommand.main()
