#!/usr/bin/env python3
"""A real SMTP server for the offer-email tests (aiosmtpd): accepts mail on 127.0.0.1:PORT and
keeps each message as DIR/<n>.eml. While DIR/refuse exists it answers every recipient with a
refusal: permanent (550) as a mail server that will not take the message does, or the code the
file holds (`451`: a temporary one, as a mail server that is busy or greylisting does). While DIR/delay
holds a number of seconds, it takes that long to answer each message's data, as a slow or
overloaded mail server does.

usage: smtp-sink.py PORT DIR
"""
import asyncio
import itertools
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        # A restarted sink goes on numbering after what an earlier one kept.
        kept = [name for name in os.listdir(directory) if name.endswith(".eml")]
        self.numbers = itertools.count(len(kept) + 1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refuse = os.path.join(self.directory, "refuse")
        if os.path.exists(refuse):
            with open(refuse) as code:
                if code.read().strip().startswith("4"):
                    return "451 4.3.0 try again later (the test)"
            return "550 5.7.1 refused by the test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        delay = os.path.join(self.directory, "delay")
        if os.path.exists(delay):
            with open(delay) as seconds:
                await asyncio.sleep(float(seconds.read().strip() or 0))
        number = next(self.numbers)
        path = os.path.join(self.directory, f"{number}.eml")
        with open(path + ".tmp", "wb") as message:
            message.write(f"X-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n".encode())
            message.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return f"250 Message accepted as {number}"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp-sink on 127.0.0.1:{port}", flush=True)
    try:
        threading.Event().wait()  # the controller serves from its own thread until killed
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
