"""gRPC channels to the gateway: one for unary calls, and a pool for event streams (an HTTP/2 connection carries ~100 streams)."""

from __future__ import annotations

import grpc

STREAMS_PER_CHANNEL = 50


class StreamChannels:
    """Hands out channels with room for one more long-lived stream, opening another connection when all are busy."""

    def __init__(self, address: str, per_channel: int = STREAMS_PER_CHANNEL) -> None:
        self._address = address
        self._per_channel = per_channel
        self._channels: list[tuple[grpc.aio.Channel, list[int]]] = []

    def acquire(self) -> grpc.aio.Channel:
        """A channel for one more stream; release it when the stream ends."""
        for channel, count in self._channels:
            if count[0] < self._per_channel:
                count[0] += 1
                return channel
        # A distinct channel argument keeps gRPC from sharing one subchannel (one TCP connection) between them.
        channel = grpc.aio.insecure_channel(self._address, options=[("console.stream_pool", len(self._channels))])
        self._channels.append((channel, [1]))
        return channel

    def release(self, channel: grpc.aio.Channel) -> None:
        """One stream fewer on the channel."""
        for candidate, count in self._channels:
            if candidate is channel:
                count[0] -= 1
                return

    async def close(self) -> None:
        """Close every channel."""
        for channel, _ in self._channels:
            await channel.close(None)
        self._channels.clear()
