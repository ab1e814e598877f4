"""A kernel that, the first time it is launched, starts but never answers an execute request
(as the slide export's kernel was seen to do); launched again, it behaves normally.

    python tests/_silent_kernel.py MARKER -f CONNECTION_FILE
"""
import sys
from pathlib import Path

from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp

MARKER = Path(sys.argv.pop(1))


class SilentOnce(IPythonKernel):
    async def execute_request(self, stream, ident, parent):
        if not MARKER.exists():
            MARKER.write_text("the first kernel got an execute request and did not answer\n")
            return
        await super().execute_request(stream, ident, parent)


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=SilentOnce)
