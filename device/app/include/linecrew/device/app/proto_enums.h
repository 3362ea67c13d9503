// Kept for its users: the enum conversions are part of the device conversion unit, convert.h.
#pragma once
#include "linecrew/device/app/convert.h"  // IWYU pragma: export
