from __future__ import annotations

from rest_framework import serializers


class UserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()


class TeamSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.SlugField()


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    team = TeamSerializer()
    role = serializers.CharField()
    auth = serializers.ChoiceField(choices=["token", "session"])
