// The `report` command: the chapters compiled into this binary and the engine's commands, handed to the command line.
import Chapters
import EngineCommands
import ReportKit

ReportCommand.compiledChapters = compiledChapters
ReportCommand.engineCommands = EngineCommands.all
ReportCommand.main()
