// Bookmarks: a script's `show` statements, counted from 1, by which a figure (`cowlab
// render --show N`) names a position that survives removing other statements (expects)
// from a hand-out.
#pragma once
#include <cstddef>
#include <optional>

#include "ast.h"

namespace cow::script {

// How many `show` statements the script has.
size_t show_count(const Script& script);
// The step (statement number, from 1) of the n-th `show` (from 1); nothing when there is
// no such show.
std::optional<size_t> show_step(const Script& script, size_t n);

}  // namespace cow::script
