// The image store's C helpers: SHA-256 and gzip inflate.
#pragma once

#include "swl_sha256.h"
#include "swl_gunzip.h"
