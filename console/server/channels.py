"""gRPC channels to the gateway: one for unary calls, and a pool for event streams (an HTTP/2 connection carries ~100 streams)."""

from __future__ import annotations

import json

import grpc

from services.common.targets import grpc_target

STREAMS_PER_CHANNEL = 50
ROUND_ROBIN = json.dumps({"loadBalancingConfig": [{"round_robin": {}}]})


def gateway_channel(address: str, *options: tuple[str, str | int]) -> grpc.aio.Channel:
    """A channel to the gateway; calls take turns over its replicas when the address lists several (IP:PORT,IP:PORT)."""
    target = grpc_target(address)
    balance = [("grpc.service_config", ROUND_ROBIN)] if target.balanced else []
    return grpc.aio.insecure_channel(target.uri, options=[*options, *balance])


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
        channel = gateway_channel(self._address, ("console.stream_pool", len(self._channels)))
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
