// A `report` binary over the fixture chapters, run by ReportKitTests.
import FixtureChapters
import ReportKit

ReportCommand.compiledChapters = compiledChapters
ReportCommand.main()
