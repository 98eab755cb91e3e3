"""`python -m bench.noop --host H --port P`: the floor for bench/run.py's relative-throughput phase.

One Litestar endpoint that does nothing but answer `{"items": []}` as JSON, served the way
`kb serve --workers 1` serves kb (src/kb/cli.py `_serve`): uvicorn, one process, the same
options. Whatever kb's search or evaluate endpoints reach, as a share of this figure, is what
they keep of what the framework and server allow on this machine.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from litestar import Litestar, get

NOOP_PATH = "/noop"


@get(NOOP_PATH)
async def noop() -> dict[str, list[object]]:
    # async: no hop to the thread pool, the cheapest handler Litestar has.
    return {"items": []}


app = Litestar(route_handlers=[noop])


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.noop", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    # The options `kb serve` passes; loop and http stay "auto" there too (uvloop and httptools
    # when installed), so both servers run the same event loop and HTTP parser.
    uvicorn.run(
        "bench.noop:app",
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
