// `schoolmail grade` and `schoolmail grades`: grading from the command line
// and listing grades. Each returns the exit status: 0 done, 1 refused or
// failed (the reason on `err`).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "config/settings.h"
#include "storage/store.h"

namespace schoolmail {

// Grades the submission `submission` (its number, or its Message-ID with
// or without <>) with `value` ("5", "зачёт", on the scale of [grades]) as
// `teacher_id`, who must be allowed to (daemon/grades.h: GradeRefusal). The
// pupil's notice goes out with the next cycle.
int GradeCommand(Store& store, const Settings& settings,
                 const std::string& submission, const std::string& value,
                 const std::string& comment, const std::string& teacher_id,
                 std::int64_t now, std::ostream& out, std::ostream& err);

// One line per grade: number, time graded, class, pupil, the work, the
// grade, teacher and source, comment; replaced ones (with --history) say by
// which.
int PrintGrades(Store& store, const Settings& settings,
                const GradeFilter& filter, std::ostream& out,
                std::ostream& err);

}  // namespace schoolmail
