"""Django's Redis cache backend, with one Redis client per connection pool instead of one per call.

Django builds a new ``redis.Redis`` client for every cache operation; with
redis-py 8 that costs more than the round trip to Redis itself (each client
copies its table of response callbacks). The page cache answers from Redis on
every request, so the client is built once per pool and reused. A client is
safe to share between threads: it takes a connection from its pool per command.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
